//! Insertion-ordered hash table for `dict`.
//!
//! ```text
//! Dict
//!  index:   HashTable<u32>  -- open addressing (hashbrown), holds positions into `entries`
//!  entries: Vec<Entry>      -- insertion order; a deleted entry has key == UNBOUND
//!  len:     live entries
//!  dense:   entries[i].key is the int i for every i, nothing deleted, index not built
//! ```
//!
//! A dict starts dense and stays dense while its keys are the ints 0, 1, 2, ... inserted in
//! that order (a memo table, a counter per bucket): then `d[k]` is a bounds check and one
//! compare, with no hashing, and the entries array is the whole table (the idea of Lua's
//! array part and PyPy's int dict strategy, with Python's insertion order kept for free).
//! Any other insertion, or a deletion, builds the hash index once and the dict leaves
//! dense mode for good.
//!
//! Hashing and equality are Python's (`1 == 1.0 == True` share a slot), supplied by
//! [`crate::ops::py_hash`] and [`crate::ops::py_eq`]. Keys of the supported types never run
//! user code, so lookups cannot call back into Python.

use crate::ops::{py_eq, py_hash};
use crate::value::{Value, FALSE, TRUE, UNBOUND};
use hashbrown::HashTable;

/// One slot of the insertion-ordered entry array (24 bytes; compiled code reads `value`
/// at +16 of entry `i` of a dense dict).
#[derive(Clone, Copy)]
#[repr(C)]
pub struct Entry {
    /// Cached hash.
    pub hash: u64,
    /// Key (UNBOUND when deleted).
    pub key: Value,
    /// Value.
    pub value: Value,
}

/// An insertion-ordered dictionary. See the module docs.
pub struct Dict {
    index: HashTable<u32>,
    /// Entries in insertion order; deleted ones have `key == UNBOUND`.
    pub entries: Vec<Entry>,
    len: usize,
    /// Entry `i` has the key `i` for every `i`, none is deleted, and `index` is empty.
    dense: bool,
}

/// Where compiled code finds what a dense lookup or append needs, in bytes from the start
/// of a [`Dict`]: the `dense` flag (one byte), the entry array's pointer, length and
/// capacity, and the live-entry count.
///
/// ```text
/// Dict (Rust layout, offsets found at start-up)
///   +dense        u8     1 while entries[i].key == i for all i
///   +entries_ptr  *Entry ──> [ hash | key | value ] [ hash | key | value ] ...
///   +entries_len  usize        0      8     16       24
///   +entries_cap  usize
///   +len          usize  live entries (== entries_len while dense)
/// ```
#[derive(Clone, Copy, Debug)]
pub struct DenseLayout {
    /// Offset of the `dense` flag.
    pub dense: i32,
    /// Offset of the entry array's buffer pointer.
    pub entries_ptr: i32,
    /// Offset of the entry array's length.
    pub entries_len: i32,
    /// Offset of the entry array's capacity.
    pub entries_cap: i32,
    /// Offset of the live-entry count.
    pub len: i32,
}

impl DenseLayout {
    /// The layout of this build (Rust does not fix `Vec`'s field order, so a probe vector
    /// whose pointer and length are known finds them).
    pub fn get() -> Self {
        let mut probe: Vec<Entry> = Vec::with_capacity(5);
        for _ in 0..3 {
            probe.push(Entry {
                hash: 0,
                key: UNBOUND,
                value: UNBOUND,
            });
        }
        let words: [usize; 3] = unsafe { std::mem::transmute_copy(&probe) };
        let find = |x: usize| words.iter().position(|&w| w == x).expect("Vec layout") as i32 * 8;
        let base = std::mem::offset_of!(Dict, entries) as i32;
        DenseLayout {
            dense: std::mem::offset_of!(Dict, dense) as i32,
            entries_ptr: base + find(probe.as_ptr() as usize),
            entries_len: base + find(3),
            entries_cap: base + find(probe.capacity()),
            len: std::mem::offset_of!(Dict, len) as i32,
        }
    }

    /// The same offsets for a `Dict` that sits `at` bytes into an object.
    pub fn within(self, at: i32) -> Self {
        DenseLayout {
            dense: at + self.dense,
            entries_ptr: at + self.entries_ptr,
            entries_len: at + self.entries_len,
            entries_cap: at + self.entries_cap,
            len: at + self.len,
        }
    }
}

impl Default for Dict {
    fn default() -> Self {
        Dict {
            index: HashTable::new(),
            entries: Vec::new(),
            len: 0,
            dense: true,
        }
    }
}

/// The hash the table uses: Python's hash, mixed. Python hashes small ints to themselves,
/// which leaves the top bits (hashbrown's per-slot tag) all zero for every small key and
/// makes each probe compare many entries; a multiply spreads them. Equal keys still get
/// equal table hashes, since the mix is a function of Python's hash.
#[inline]
fn table_hash(key: Value) -> Option<u64> {
    let h = if key.is_small_int() {
        // Python's hash of an int below 2^61 - 1 is the int itself (but -1 is -2).
        let n = key.as_small_int();
        (if n == -1 { -2 } else { n }) as u64
    } else {
        py_hash(key)?
    };
    let m = (h as u128).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    Some((m as u64) ^ ((m >> 64) as u64))
}

/// Returned by hashing an unhashable key: the caller raises `TypeError`.
pub struct Unhashable(pub Value);

impl Dict {
    /// An empty dict.
    pub fn new() -> Self {
        Self::default()
    }
    /// Number of live entries.
    pub fn len(&self) -> usize {
        self.len
    }
    /// Is it empty?
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// In dense mode: the position of the int equal to `key`, if the dict has one. Floats
    /// and bools equal to an int find it, as in Python; other keys are only checked for
    /// hashability (they cannot equal a small int).
    fn dense_pos(&self, key: Value) -> Result<Option<usize>, Unhashable> {
        let k = if key.is_small_int() {
            key.as_small_int()
        } else if key == TRUE || key == FALSE {
            (key == TRUE) as i64
        } else if key.is_float() {
            let f = key.as_float();
            if f.fract() != 0.0 || !(0.0..self.entries.len() as f64).contains(&f) {
                return Ok(None);
            }
            f as i64
        } else {
            table_hash(key).ok_or(Unhashable(key))?;
            return Ok(None);
        };
        Ok((k >= 0 && (k as usize) < self.entries.len()).then_some(k as usize))
    }

    /// Leave dense mode: fill in the cached hashes and build the index.
    fn undense(&mut self) {
        self.dense = false;
        for e in &mut self.entries {
            e.hash = table_hash(e.key).expect("dense keys are ints");
        }
        self.rebuild_index();
    }

    fn rebuild_index(&mut self) {
        self.index.clear();
        let entries = &self.entries;
        for (i, e) in entries.iter().enumerate() {
            self.index
                .insert_unique(e.hash, i as u32, |&j| entries[j as usize].hash);
        }
    }

    fn find(&self, hash: u64, key: Value) -> Option<u32> {
        let entries = &self.entries;
        self.index
            .find(hash, |&i| {
                let e = &entries[i as usize];
                e.hash == hash && (e.key == key || py_eq(e.key, key))
            })
            .copied()
    }

    /// Look up `key`.
    pub fn get(&self, key: Value) -> Result<Option<Value>, Unhashable> {
        if self.dense {
            return Ok(self.dense_pos(key)?.map(|i| self.entries[i].value));
        }
        let hash = table_hash(key).ok_or(Unhashable(key))?;
        Ok(self.find(hash, key).map(|i| self.entries[i as usize].value))
    }

    /// Does it contain `key`?
    pub fn contains(&self, key: Value) -> Result<bool, Unhashable> {
        Ok(self.get(key)?.is_some())
    }

    /// Insert or overwrite `key` (an existing key keeps its position and its original key
    /// object, as in CPython).
    pub fn insert(&mut self, key: Value, value: Value) -> Result<(), Unhashable> {
        if self.dense {
            if key.is_small_int() && key.as_small_int() >= 0 {
                let k = key.as_small_int() as usize;
                if k < self.entries.len() {
                    self.entries[k].value = value;
                    return Ok(());
                }
                if k == self.entries.len() {
                    self.reserve_one();
                    self.entries.push(Entry { hash: 0, key, value });
                    self.len += 1;
                    return Ok(());
                }
            }
            table_hash(key).ok_or(Unhashable(key))?;
            self.undense();
        }
        let hash = table_hash(key).ok_or(Unhashable(key))?;
        if let Some(i) = self.find(hash, key) {
            self.entries[i as usize].value = value;
            return Ok(());
        }
        if self.entries.len() > 16 && self.entries.len() >= 2 * self.len + 8 {
            self.compact();
        }
        let pos = self.entries.len() as u32;
        self.reserve_one();
        self.entries.push(Entry { hash, key, value });
        let entries = &self.entries;
        self.index.insert_unique(hash, pos, |&i| entries[i as usize].hash);
        self.len += 1;
        Ok(())
    }

    /// Make room for one more entry. A full entry array of fewer than 512 entries grows
    /// fourfold (8, 32, 128, 512), as CPython's dicts grow to three times their use, larger
    /// ones double: a table filled from empty (memo: 40000 dicts of 40-100 entries) is
    /// reallocated three times where `Vec`'s doubling from 4 took five.
    fn reserve_one(&mut self) {
        let (len, cap) = (self.entries.len(), self.entries.capacity());
        if len == cap {
            let want = if cap < 8 {
                8
            } else if cap < 512 {
                cap * 4
            } else {
                cap * 2
            };
            self.entries.reserve_exact(want - len);
        }
    }

    /// Remove `key`, returning its value.
    pub fn remove(&mut self, key: Value) -> Result<Option<Value>, Unhashable> {
        if self.dense {
            if self.dense_pos(key)?.is_none() {
                return Ok(None);
            }
            self.undense();
        }
        let hash = table_hash(key).ok_or(Unhashable(key))?;
        let entries = &self.entries;
        let found = self.index.find_entry(hash, |&i| {
            let e = &entries[i as usize];
            e.hash == hash && (e.key == key || py_eq(e.key, key))
        });
        match found {
            Ok(occ) => {
                let (i, _) = occ.remove();
                let e = &mut self.entries[i as usize];
                let v = e.value;
                e.key = UNBOUND;
                e.value = UNBOUND;
                self.len -= 1;
                Ok(Some(v))
            }
            Err(_) => Ok(None),
        }
    }

    /// Drop deleted entries and rebuild the index.
    fn compact(&mut self) {
        self.entries.retain(|e| e.key != UNBOUND);
        self.rebuild_index();
    }

    /// Remove everything.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.index.clear();
        self.len = 0;
        self.dense = true;
    }

    /// Live `(key, value)` pairs in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (Value, Value)> + '_ {
        self.entries
            .iter()
            .filter(|e| e.key != UNBOUND)
            .map(|e| (e.key, e.value))
    }

    /// The live entry at or after raw position `pos`, with the position after it.
    pub fn entry_from(&self, mut pos: usize) -> Option<(usize, Value, Value)> {
        while pos < self.entries.len() {
            let e = &self.entries[pos];
            if e.key != UNBOUND {
                return Some((pos + 1, e.key, e.value));
            }
            pos += 1;
        }
        None
    }

    /// Visit every key and value (for the GC).
    pub fn trace(&self, mut f: impl FnMut(Value)) {
        for e in &self.entries {
            f(e.key);
            f(e.value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(n: i64) -> Value {
        Value::int_unchecked(n)
    }

    #[test]
    fn ints_in_order_stay_dense_and_anything_else_leaves() {
        let mut d = Dict::new();
        for i in 0..100 {
            d.insert(int(i), int(-i)).ok().unwrap();
        }
        assert!(d.dense && d.index.is_empty());
        d.insert(int(7), int(70)).ok().unwrap();
        assert!(d.dense);
        assert_eq!(d.get(int(7)).ok().unwrap(), Some(int(70)));
        assert_eq!(d.get(TRUE).ok().unwrap(), Some(int(-1)));
        assert_eq!(d.get(int(100)).ok().unwrap(), None);
        assert_eq!(d.get(int(-1)).ok().unwrap(), None);

        let mut gap = Dict::new();
        gap.insert(int(0), int(0)).ok().unwrap();
        gap.insert(int(2), int(2)).ok().unwrap();
        assert!(!gap.dense);
        assert_eq!(gap.get(int(2)).ok().unwrap(), Some(int(2)));
        assert_eq!(gap.get(int(1)).ok().unwrap(), None);

        let mut del = Dict::new();
        for i in 0..4 {
            del.insert(int(i), int(i)).ok().unwrap();
        }
        assert_eq!(del.remove(int(9)).ok().unwrap(), None);
        assert!(del.dense);
        assert_eq!(del.remove(int(1)).ok().unwrap(), Some(int(1)));
        assert!(!del.dense);
        assert_eq!(del.get(int(3)).ok().unwrap(), Some(int(3)));
        assert_eq!(del.get(int(1)).ok().unwrap(), None);
        assert_eq!(del.len(), 3);
    }

    #[test]
    fn entry_arrays_grow_fourfold_while_small() {
        for dense in [true, false] {
            let mut d = Dict::new();
            let mut capacities = Vec::new();
            for i in 0..2000 {
                // Keys in order keep the dict dense; reversed ones build the index.
                let k = if dense { i } else { 10_000 - i };
                d.insert(int(k), int(i)).ok().unwrap();
                if capacities.last() != Some(&d.entries.capacity()) {
                    capacities.push(d.entries.capacity());
                }
            }
            assert_eq!(d.dense, dense);
            assert_eq!(capacities, [8, 32, 128, 512, 1024, 2048], "dense: {dense}");
        }
    }
}
