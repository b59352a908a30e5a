//! A counting global allocator: the collector's measure of heap growth.
//!
//! Objects own memory outside themselves (a list's buffer, a dict's table, a string's
//! bytes) that grows without new objects being allocated. Counting every byte the process
//! allocates lets the collector schedule a collection on real memory growth. The binary
//! installs it with `#[global_allocator]`; without it the counter stays 0 and the
//! collector falls back to counting object allocations alone.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// `System`, counting the bytes currently allocated.
pub struct CountingAllocator;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// Plain load + store instead of `fetch_add`: the runtime runs on one thread, and a rare lost
// update on another thread only makes the estimate slightly off.
#[inline]
fn add(n: usize) {
    LIVE.store(LIVE.load(Relaxed).wrapping_add(n), Relaxed);
}

#[inline]
fn sub(n: usize) {
    LIVE.store(LIVE.load(Relaxed).wrapping_sub(n), Relaxed);
}

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = System.alloc(l);
        if !p.is_null() {
            add(l.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(l);
        if !p.is_null() {
            add(l.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l);
        sub(l.size());
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
        let q = System.realloc(p, l, new_size);
        if !q.is_null() {
            sub(l.size());
            add(new_size);
        }
        q
    }
}

/// Bytes currently allocated through [`CountingAllocator`] (0 if it is not installed).
#[inline]
pub fn live_bytes() -> usize {
    LIVE.load(Relaxed)
}
