//! The interpreter's value stack: the frames of `cellar run --interp` (locals, cells,
//! temporaries), a root the collector scans precisely, like the JIT's stack maps.
//!
//! ```text
//! chunk 0 (CHUNK_SLOTS words)                        chunk 1 (used when chunk 0 is full)
//! +----------------+--------------------+------+     +----------------+---------+------+
//! | module frame   | f's frame          | free |     | g's frame      | h's ... | free |
//! +----------------+--------------------+------+     +----------------+---------+------+
//! ^ start                      saved top ^            ^ start          sp ^    limit ^
//!
//! one frame:  [0] function (None for the module)  [1..=nparams] arguments
//!             [..] other locals, cell pointers     [..] temporaries
//! ```
//!
//! Every word between a chunk's start and its top (`sp` for the current chunk, the top saved
//! when the interpreter moved on for older ones) belongs to a live frame and holds a valid
//! value: a frame initialises all its words on entry. A callee's frame may start inside its
//! caller's frame (at the caller's temporary holding the callee, followed by the arguments),
//! so arguments are passed without copying; `sp` then only grows (`max`), so the caller's
//! words above the callee's frame stay scanned and never dangle.
//!
//! Chunks come from the system allocator directly: they are the interpreter's stack, not
//! heap objects, so they do not count towards the heap the collector schedules on.

use crate::value::{Value, UNBOUND};
use std::alloc::{GlobalAlloc, Layout, System};

/// Words in a chunk (frames larger than this get a chunk of their own size).
pub const CHUNK_SLOTS: usize = 1 << 16;

struct Chunk {
    start: *mut Value,
    cap: usize,
    /// The chunk's top while a newer chunk is current.
    top: *mut Value,
}

/// The stack. See the module docs.
pub struct ValueStack {
    /// First free word of the current chunk.
    pub sp: *mut Value,
    /// End of the current chunk.
    pub limit: *mut Value,
    cur: usize,
    chunks: Vec<Chunk>,
}

/// Where the stack was before a frame was entered; [`ValueStack::leave`] restores it.
#[derive(Clone, Copy)]
pub struct StackMark {
    sp: *mut Value,
    chunk: usize,
}

impl Default for ValueStack {
    fn default() -> Self {
        Self::new()
    }
}

impl ValueStack {
    /// An empty stack (no chunk is allocated until the first frame).
    pub fn new() -> Self {
        ValueStack {
            sp: std::ptr::null_mut(),
            limit: std::ptr::null_mut(),
            cur: 0,
            chunks: Vec::new(),
        }
    }

    /// Allocate the first chunk (once, before the first frame).
    pub fn init(&mut self) {
        if self.chunks.is_empty() {
            let start = self.grow(std::ptr::null_mut(), 0, 0);
            self.sp = start;
        }
    }

    /// Enter a frame of `size` words that starts at `base` (`sp`, or a word inside the
    /// current frame whose first `carry` words already hold the frame's function and
    /// arguments). Returns the frame's actual base (in a new chunk, with the `carry` words
    /// copied, when the current one is full) and the mark to leave it with. The words past
    /// `carry` are uninitialised: the caller must initialise them before the next collection.
    #[inline]
    pub fn enter(&mut self, base: *mut Value, size: usize, carry: usize) -> (*mut Value, StackMark) {
        let mark = StackMark {
            sp: self.sp,
            chunk: self.cur,
        };
        let end = base.wrapping_add(size);
        if end <= self.limit {
            if end > self.sp {
                self.sp = end;
            }
            return (base, mark);
        }
        debug_assert!(!self.chunks.is_empty(), "ValueStack::init not called");
        (self.grow(base, size, carry), mark)
    }

    #[cold]
    fn grow(&mut self, base: *mut Value, size: usize, carry: usize) -> *mut Value {
        let next = if self.chunks.is_empty() { 0 } else { self.cur + 1 };
        if next < self.chunks.len() && self.chunks[next].cap < size {
            self.chunks.truncate(next); // too small for this frame (its memory is kept)
        }
        if next == self.chunks.len() {
            let cap = CHUNK_SLOTS.max(size);
            let layout = Layout::array::<Value>(cap).expect("stack chunk size");
            let start = unsafe { System.alloc(layout) } as *mut Value;
            if start.is_null() {
                std::alloc::handle_alloc_error(layout);
            }
            self.chunks.push(Chunk { start, cap, top: start });
        }
        if next > 0 {
            self.chunks[self.cur].top = self.sp;
        }
        let c = &self.chunks[next];
        let start = c.start;
        if carry > 0 {
            unsafe { std::ptr::copy_nonoverlapping(base, start, carry) };
        }
        self.cur = next;
        self.sp = start.wrapping_add(size);
        self.limit = start.wrapping_add(c.cap);
        start
    }

    /// Leave a frame: back to where the stack was at `mark`.
    #[inline]
    pub fn leave(&mut self, mark: StackMark) {
        if mark.chunk != self.cur {
            self.cur = mark.chunk;
            let c = &self.chunks[mark.chunk];
            self.limit = c.start.wrapping_add(c.cap);
        }
        self.sp = mark.sp;
    }

    /// The current frame base for a new frame: `sp`.
    #[inline]
    pub fn top(&self) -> *mut Value {
        self.sp
    }

    /// Call `f` on every live word (for the collector).
    pub fn trace(&self, mut f: impl FnMut(Value)) {
        if self.chunks.is_empty() {
            return;
        }
        for (i, c) in self.chunks[..=self.cur].iter().enumerate() {
            let top = if i == self.cur { self.sp } else { c.top };
            let n = (top as usize - c.start as usize) / std::mem::size_of::<Value>();
            for k in 0..n {
                f(unsafe { *c.start.add(k) });
            }
        }
    }

    /// Fill `n` words from `p` with UNBOUND.
    ///
    /// # Safety
    /// `p..p+n` must lie inside the current frame.
    #[inline]
    pub unsafe fn clear(p: *mut Value, n: usize) {
        for i in 0..n {
            *p.add(i) = UNBOUND;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(s: &ValueStack) -> Vec<u64> {
        let mut v = Vec::new();
        s.trace(|x| v.push(x.0));
        v
    }

    #[test]
    fn frames_in_place_and_across_chunks() {
        let mut s = ValueStack::new();
        s.init();
        // A frame of 4 words at the top.
        let (a, ma) = s.enter(s.top(), 4, 0);
        for i in 0..4 {
            unsafe { *a.add(i) = Value(100 + i as u64) };
        }
        assert_eq!(live(&s), vec![100, 101, 102, 103]);
        // A callee starting at word 2 of it (callee + one argument carried), 3 words long:
        // the stack top only grows.
        let (b, mb) = s.enter(unsafe { a.add(2) }, 3, 2);
        assert_eq!(b, unsafe { a.add(2) });
        unsafe { *b.add(2) = Value(7) };
        assert_eq!(live(&s), vec![100, 101, 102, 103, 7]);
        s.leave(mb);
        assert_eq!(live(&s), vec![100, 101, 102, 103]);
        // A frame that does not fit: a new chunk, with its first two words carried over.
        let (c, mc) = s.enter(unsafe { a.add(2) }, CHUNK_SLOTS, 2);
        assert_ne!(c, unsafe { a.add(2) });
        unsafe {
            assert_eq!((*c).0, 102);
            assert_eq!((*c.add(1)).0, 103);
            ValueStack::clear(c.add(2), CHUNK_SLOTS - 2);
        }
        let words = live(&s);
        assert_eq!(words.len(), 4 + CHUNK_SLOTS);
        assert_eq!(&words[..6], &[100, 101, 102, 103, 102, 103]);
        s.leave(mc);
        assert_eq!(live(&s), vec![100, 101, 102, 103]);
        // The next frame reuses the first chunk.
        let (d, md) = s.enter(s.top(), 2, 0);
        assert_eq!(d, unsafe { a.add(4) });
        s.leave(md);
        s.leave(ma);
        assert!(live(&s).is_empty());
    }
}
