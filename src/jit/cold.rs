//! Cold blocks spread: a block reached only from cold blocks is cold too.
//!
//! The lowering marks the first block of each slow path cold (a runtime call, an error, a
//! float path in a program without floats), and Cranelift emits cold blocks after all the
//! others. But a slow path is usually several blocks (the call, the pending-collection
//! check, the exception check, the jump back), and only the first is marked. The rest
//! would be laid out between the fast path and its continuation, which then needs a jump
//! over them:
//!
//! ```text
//!   before                         after
//!   fast:  ...  jmp join           fast:  ...            (falls through)
//!   slow2: ...  (not cold)         join:  ...
//!   join:  ...                     ...
//!                                  slow, slow2: (cold, at the end)
//! ```
//!
//! This pass marks cold every block that the entry cannot reach without passing through a
//! cold block (which includes loops that sit wholly inside a slow path), so that hot paths
//! fall straight through. It changes the layout only, never the code.

use cranelift_codegen::ir::{Block, Function};

/// Mark cold every block of `func` that is reachable only through cold blocks; returns how
/// many blocks it marked.
pub fn spread_cold(func: &mut Function) -> usize {
    let Some(entry) = func.layout.entry_block() else {
        return 0;
    };
    let mut hot = vec![false; func.dfg.num_blocks()];
    let mut work = vec![entry];
    hot[entry.as_u32() as usize] = true;
    while let Some(b) = work.pop() {
        for succ in func.block_successors(b) {
            let seen = &mut hot[succ.as_u32() as usize];
            if !*seen && !func.layout.is_cold(succ) {
                *seen = true;
                work.push(succ);
            }
        }
    }
    let blocks: Vec<Block> = func.layout.blocks().collect();
    let mut marked = 0;
    for b in blocks {
        if !hot[b.as_u32() as usize] && !func.layout.is_cold(b) {
            func.layout.set_cold(b);
            marked += 1;
        }
    }
    marked
}
