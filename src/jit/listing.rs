//! Listings of compiled code, for `cellar ir` and `cellar run --dump-ir`.
//!
//! Each function's listing is a comment block (qualname, source line, parameters, locals,
//! cells, free variables, the environment record layout, globals, closures it makes)
//! followed by the code of one stage:
//!
//! ```text
//! built     CLIF as lowered (safepoint spills included: calls show `stack_map=[...]`)
//! prepared  CLIF as Cranelift's optimiser gets it: callees inlined, slow-path calls
//!           routed to their `preserve_all` wrappers, reloads removed (`super::spills`)
//! opt       CLIF after Cranelift's optimiser (and the spill passes that follow it)
//! asm       the machine code listing (VCode)
//! ```
//!
//! In CLIF, `; line N: <source>` comments mark where the code of each source line starts
//! (Cranelift's own `@000a` prefixes are the same line in hex). Runtime addresses baked into
//! the code are printed symbolically, so listings do not depend on where things were loaded:
//!
//! ```text
//! &vm                 the VM (depth counter at +0, GC flag at +16)
//! &globals            the global slots: slot i at +8*i
//! &code(QUALNAME)     a function's static facts (CodeInfo)
//! &'text'             a str constant (its repr)
//! &type(NAME)         a type object
//! &free_list(SIZE)    the free-list head of a size class (inline allocation)
//! &heap.FIELD         a heap counter (allocation budget, object counts)
//! &const(REPR)        any other constant object
//! %rt_new_cell        a function reference (`u0:N` in raw CLIF)
//! ```

use super::ProgramInfo;
use crate::scope::{Reason, Scope, ScopeKind};
use crate::syntax::ast::ScopeId;
use crate::syntax::SourceText;
use cellar_runtime::object::{ObjKind, CELL_VALUE_OFFSET, FUNCTION_ENV_OFFSET};
use cellar_runtime::value::Value as PyValue;
use cranelift_codegen::ir::{Function, InstructionData};
use cranelift_codegen::{CompiledCode, Context};
use cranelift_jit::JITModule;
use cranelift_module::Module as _;
use std::collections::HashMap;
use std::fmt::Write as _;

/// Which code a listing shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// CLIF as lowered.
    Built,
    /// CLIF after inlining and Cellar's own passes, before Cranelift's optimiser.
    Prepared,
    /// CLIF after optimisation.
    Opt,
    /// Machine code.
    Asm,
}

/// Listings of one compiled function (fields are empty unless asked for in
/// [`super::CompileOptions`]).
#[derive(Clone, Debug)]
pub struct FunctionIr {
    /// The scope compiled (0 = the module body).
    pub scope: ScopeId,
    /// Qualname of the Python function (`<module>` for the module body).
    pub qualname: String,
    /// Symbol name (`py_3`).
    pub symbol: String,
    /// Line of the definition.
    pub line: u32,
    /// The comment block heading every listing of the function.
    pub header: String,
    /// CLIF as lowered.
    pub built: String,
    /// CLIF as Cranelift's optimiser gets it.
    pub prepared: String,
    /// CLIF after optimisation.
    pub opt: String,
    /// Machine code listing.
    pub asm: String,
    /// Graphviz dot of the blocks as lowered.
    pub built_cfg: String,
    /// Graphviz dot of the blocks as Cranelift's optimiser gets them.
    pub prepared_cfg: String,
    /// Graphviz dot of the blocks after optimisation.
    pub opt_cfg: String,
}

impl FunctionIr {
    /// The code of one stage, without the header.
    pub fn code(&self, stage: Stage) -> &str {
        match stage {
            Stage::Built => &self.built,
            Stage::Prepared => &self.prepared,
            Stage::Opt => &self.opt,
            Stage::Asm => &self.asm,
        }
    }

    /// Header plus the code of one stage, as `cellar ir` prints it.
    pub fn listing(&self, stage: Stage) -> String {
        format!("{}{}\n", self.header, self.code(stage).trim_end())
    }

    /// The Graphviz dot graph of one stage (built, prepared or opt).
    pub fn cfg(&self, stage: Stage) -> &str {
        match stage {
            Stage::Prepared => &self.prepared_cfg,
            Stage::Opt => &self.opt_cfg,
            _ => &self.built_cfg,
        }
    }

    /// Does `want` name this function (its qualname, or its last component)?
    pub fn is_named(&self, want: &str) -> bool {
        want == self.qualname || want == self.qualname.rsplit('.').next().unwrap_or("") || want == self.symbol
    }
}

// ---------------------------------------------------------------------------------------------
// Symbols
// ---------------------------------------------------------------------------------------------

/// Symbolic names of the runtime addresses and functions a program's code refers to.
pub struct Symbols {
    addrs: HashMap<u64, String>,
    funcs: HashMap<u32, String>,
    constants_seen: usize,
}

impl Symbols {
    /// Names for everything declared so far; constants created later are picked up by
    /// [`Symbols::refresh`].
    pub fn new(prog: &ProgramInfo, module: &JITModule) -> Self {
        let mut addrs = HashMap::new();
        addrs.insert(prog.vm_addr as u64, "&vm".to_string());
        addrs.insert(prog.globals_addr as u64, "&globals".to_string());
        for (&id, &info) in &prog.infos {
            addrs.insert(info as u64, format!("&code({})", prog.scopes.get(id).qualname));
        }
        for &t in &cellar_runtime::vm::vm().types {
            addrs.insert(t.0, describe(t));
        }
        for imp in super::imports::all() {
            addrs.insert(imp.addr as u64, format!("&{}", imp.name));
        }
        let heap = cellar_runtime::gc::inline_alloc();
        addrs.insert(heap.budget as u64, "&heap.budget".to_string());
        for size in (16..=256).step_by(16) {
            if let Some(head) = cellar_runtime::gc::free_list_head(size) {
                addrs.insert(head as u64, format!("&free_list({size})"));
            }
        }
        let mut s = Symbols {
            addrs,
            funcs: HashMap::new(),
            constants_seen: 0,
        };
        s.refresh();
        s.name_functions(module);
        s
    }

    /// No names at all (for a compilation that lists nothing).
    fn none() -> Self {
        Symbols {
            addrs: HashMap::new(),
            funcs: HashMap::new(),
            constants_seen: 0,
        }
    }

    /// Name the functions declared in `module` so far (some are declared as the
    /// compilation goes, like the slow paths' wrappers).
    pub fn name_functions(&mut self, module: &JITModule) {
        self.funcs = module
            .declarations()
            .get_functions()
            .filter_map(|(id, d)| Some((id.as_u32(), d.name.clone()?)))
            .collect();
    }

    /// Name the constants the compiler created since the last call.
    pub fn refresh(&mut self) {
        let consts = &cellar_runtime::vm::vm().constants;
        for &c in &consts[self.constants_seen.min(consts.len())..] {
            if c.is_ptr() {
                self.addrs.entry(c.0).or_insert_with(|| describe(c));
            }
        }
        self.constants_seen = consts.len();
    }

    /// Replace known addresses (`0x7f12_3456_7890` or `0x7f1234567890`) and function
    /// references (`u0:12`) in `text` by their symbolic names.
    pub fn symbolize(&self, text: &str) -> String {
        let b = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < b.len() {
            let boundary = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
            if boundary && b[i..].starts_with(b"0x") {
                let end = i
                    + 2
                    + b[i + 2..]
                        .iter()
                        .take_while(|c| c.is_ascii_hexdigit() || **c == b'_')
                        .count();
                let digits: String = text[i + 2..end].chars().filter(|&c| c != '_').collect();
                if let Some(name) = u64::from_str_radix(&digits, 16).ok().and_then(|v| self.addrs.get(&v)) {
                    out.push_str(name);
                    i = end;
                    continue;
                }
                out.push_str(&text[i..end]);
                i = end;
                continue;
            }
            if boundary && b[i..].starts_with(b"u0:") {
                let end = i + 3 + b[i + 3..].iter().take_while(|c| c.is_ascii_digit()).count();
                if let Some(name) = text[i + 3..end].parse::<u32>().ok().and_then(|n| self.funcs.get(&n)) {
                    out.push('%');
                    out.push_str(name);
                    i = end;
                    continue;
                }
            }
            let ch = text[i..].chars().next().expect("in bounds");
            out.push(ch);
            i += ch.len_utf8();
        }
        out
    }
}

/// The symbolic name of a constant object.
fn describe(v: PyValue) -> String {
    use cellar_runtime::format::repr_string;
    match v.kind() {
        Some(ObjKind::Str) => format!("&{}", repr_string(v)),
        Some(ObjKind::Type) => format!("&type({})", cellar_runtime::objects::type_obj_name(v)),
        Some(ObjKind::Builtin) => {
            format!(
                "&builtin({})",
                cellar_runtime::objects::obj::<cellar_runtime::object::BuiltinObj>(v).name
            )
        }
        _ => format!("&const({})", repr_string(v)),
    }
}

// ---------------------------------------------------------------------------------------------
// Recording listings while compiling
// ---------------------------------------------------------------------------------------------

/// Collects the listings [`super::compile`] was asked to keep, one function at a time:
/// [`Recorder::built`] after lowering, [`Recorder::prepared`] before Cranelift's optimiser,
/// [`Recorder::finish`] after code generation.
pub struct Recorder {
    syms: Symbols,
    opts: super::CompileOptions,
    built: String,
    built_cfg: String,
    prepared: String,
    prepared_cfg: String,
}

impl Recorder {
    /// A recorder for `opts` (keeps nothing when no listing is asked for).
    pub fn new(prog: &ProgramInfo, module: &JITModule, opts: &super::CompileOptions) -> Self {
        // Naming every runtime address costs a tenth of an empty program's start-up.
        let syms = if opts.wants_listing() {
            Symbols::new(prog, module)
        } else {
            Symbols::none()
        };
        Recorder {
            syms,
            opts: opts.clone(),
            built: String::new(),
            built_cfg: String::new(),
            prepared: String::new(),
            prepared_cfg: String::new(),
        }
    }

    /// Record the function as lowered (before `define_function`).
    pub fn built(&mut self, func: &Function, source: &SourceText) {
        if self.opts.wants_listing() {
            self.syms.refresh();
        }
        if self.opts.keep_ir {
            self.built = self.clif(func, source);
            if self.opts.keep_cfg {
                self.built_cfg = self.dot(func, source);
            }
        }
    }

    /// Record the function as Cranelift's optimiser gets it (inlined and prepared).
    pub fn prepared(&mut self, func: &Function, source: &SourceText, module: &JITModule) {
        if self.opts.keep_prepared_ir {
            self.syms.name_functions(module);
            self.prepared = self.clif(func, source);
            if self.opts.keep_cfg {
                self.prepared_cfg = self.dot(func, source);
            }
        }
    }

    /// The listings of scope `id`, whose code `ctx` now holds.
    pub fn finish(
        &mut self,
        prog: &ProgramInfo,
        id: ScopeId,
        ctx: &Context,
        code: &CompiledCode,
        module: &JITModule,
    ) -> FunctionIr {
        if self.opts.keep_opt_ir || self.opts.keep_asm {
            self.syms.name_functions(module);
        }
        let (mut opt, mut opt_cfg, mut asm) = (String::new(), String::new(), String::new());
        if self.opts.keep_opt_ir {
            opt = self.clif(&ctx.func, prog.source);
            if self.opts.keep_cfg {
                opt_cfg = self.dot(&ctx.func, prog.source);
            }
        }
        if self.opts.keep_asm {
            let vcode = code.vcode.clone().unwrap_or_default();
            asm = self.syms.symbolize(&user_names(&ctx.func, &vcode));
        }
        let s = prog.scopes.get(id);
        FunctionIr {
            scope: id,
            qualname: s.qualname.clone(),
            symbol: format!("py_{}", id.0),
            line: unsafe { (*prog.infos[&id]).firstlineno },
            header: if self.opts.wants_listing() {
                header(prog, id)
            } else {
                String::new()
            },
            built: std::mem::take(&mut self.built),
            prepared: std::mem::take(&mut self.prepared),
            opt,
            asm,
            built_cfg: titled(std::mem::take(&mut self.built_cfg), &s.qualname, "as lowered"),
            prepared_cfg: titled(std::mem::take(&mut self.prepared_cfg), &s.qualname, "prepared"),
            opt_cfg: titled(opt_cfg, &s.qualname, "optimised"),
        }
    }

    fn clif(&self, func: &Function, source: &SourceText) -> String {
        self.syms
            .symbolize(&mark_source_lines(&func.display().to_string(), source))
    }

    /// Graphviz dot of the blocks of `func`: one box per block with its instructions, cold
    /// blocks dashed, branch edges labelled `then`/`else`.
    fn dot(&self, func: &Function, source: &SourceText) -> String {
        let mut w = String::new();
        let name = self.syms.symbolize(&func.name.to_string());
        let _ = writeln!(w, "digraph \"{}\" {{", escape(&name));
        let _ = writeln!(w, "    node [shape=box, fontname=\"monospace\", fontsize=10];");
        for block in func.layout.blocks() {
            let mut label = String::new();
            let params: Vec<String> = func
                .dfg
                .block_params(block)
                .iter()
                .map(|&p| format!("{p}: {}", func.dfg.value_type(p)))
                .collect();
            let _ = write!(label, "{block}");
            if !params.is_empty() {
                let _ = write!(label, "({})", params.join(", "));
            }
            if func.layout.is_cold(block) {
                label.push_str(" cold");
            }
            label.push_str(":\\l");
            let mut last_line = None;
            for inst in func.layout.block_insts(block) {
                let loc = func.srcloc(inst);
                if !loc.is_default() && last_line != Some(loc.bits()) {
                    last_line = Some(loc.bits());
                    let text = format!("; line {}: {}", loc.bits(), source.line_text(loc.bits()).trim());
                    let _ = write!(label, "{}\\l", escape(&text));
                }
                let text = self.syms.symbolize(&func.dfg.display_inst(inst).to_string());
                let _ = write!(label, "  {}\\l", escape(&text));
            }
            let style = if func.layout.is_cold(block) {
                ", style=dashed, color=gray50"
            } else {
                ""
            };
            let _ = writeln!(w, "    {block} [label=\"{label}\"{style}];");
            let Some(last) = func.layout.last_inst(block) else {
                continue;
            };
            let data: &InstructionData = &func.dfg.insts[last];
            let dests = data.branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables);
            for (i, d) in dests.iter().enumerate() {
                let target = d.block(&func.dfg.value_lists);
                let label = match (dests.len(), i) {
                    (2, 0) => " [label=\"then\"]",
                    (2, 1) => " [label=\"else\"]",
                    _ => "",
                };
                let _ = writeln!(w, "    {block} -> {target}{label};");
            }
        }
        w.push_str("}\n");
        w
    }
}

/// Give a dot graph a visible title (`make_averager (as lowered)`), after its first line.
fn titled(dot: String, qualname: &str, stage: &str) -> String {
    match dot.split_once('\n') {
        Some((first, rest)) => {
            format!(
                "{first}\n    label=\"{} ({stage})\"; labelloc=t;\n{rest}",
                escape(qualname)
            )
        }
        None => dot,
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Replace `userextnameN` in a VCode listing by the function it names (`u0:K`, which
/// [`Symbols::symbolize`] then names).
fn user_names(func: &Function, vcode: &str) -> String {
    const TOKEN: &str = "userextname";
    let names = func.params.user_named_funcs();
    let mut out = String::with_capacity(vcode.len());
    let mut rest = vcode;
    while let Some(i) = rest.find(TOKEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + TOKEN.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let named = after[..digits].parse::<usize>().ok().and_then(|n| {
            names
                .iter()
                .find(|(r, _)| r.to_string() == format!("{TOKEN}{n}"))
                .map(|(_, name)| name.to_string())
        });
        match named {
            Some(name) => out.push_str(&name),
            None => out.push_str(&rest[i..i + TOKEN.len() + digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// Insert a `; line N: <source>` comment before the first instruction of each new source
/// line (instructions carry `@xxxx`, the line in hex, from the lowering's srclocs).
pub fn mark_source_lines(clif: &str, source: &SourceText) -> String {
    let mut out = String::with_capacity(clif.len() * 2);
    let mut last = None;
    for line in clif.lines() {
        let lead = line.len() - line.trim_start().len();
        if let Some(rest) = line.trim_start().strip_prefix('@') {
            let hex = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
            let after = &rest[hex..];
            if hex > 0 && after.starts_with(' ') {
                if let Ok(n) = u32::from_str_radix(&rest[..hex], 16) {
                    if last != Some(n) {
                        last = Some(n);
                        let col = lead + 1 + hex + (after.len() - after.trim_start().len());
                        let _ = writeln!(out, "{:col$}; line {n}: {}", "", source.line_text(n).trim());
                    }
                }
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The header
// ---------------------------------------------------------------------------------------------

fn list(items: Vec<String>) -> String {
    if items.is_empty() {
        "-".to_string()
    } else {
        items.join(", ")
    }
}

/// The scope that binds `name`, free in `scope`: the nearest enclosing function where it is
/// a cell.
pub fn binder<'s>(scopes: &'s crate::scope::ScopeTable, scope: &Scope, name: &str) -> Option<&'s Scope> {
    let mut p = scope.parent;
    while let Some(id) = p {
        let s = scopes.get(id);
        match s.symbol(name).map(|y| y.kind) {
            Some(ScopeKind::Cell) => return Some(s),
            Some(ScopeKind::Free) => p = s.parent,
            _ => return None,
        }
    }
    None
}

/// The comment block heading the listings of scope `id`.
pub fn header(prog: &ProgramInfo, id: ScopeId) -> String {
    let scopes = prog.scopes;
    let s = scopes.get(id);
    let def = prog.defs.get(&id);
    let line = def.map(|f| prog.source.line(f.span.start)).unwrap_or(1);
    let mut h = String::new();
    let _ = writeln!(h, ";; ==== {} (py_{}, line {line}) ====", s.qualname, id.0);
    if def.is_some() {
        let _ = writeln!(h, ";; {line:>4} | {}", prog.source.line_text(line).trim_end());
    }
    let mut sig = vec![
        format!("v0: {}", if s.is_module { "unused" } else { "closure" }),
        "v1: depth".to_string(),
    ];
    sig.extend(s.params.iter().enumerate().map(|(i, p)| format!("v{}: {p}", i + 2)));
    let _ = writeln!(h, ";; signature   py_{}({}) -> value", id.0, sig.join(", "));
    if !s.is_module {
        let locals = s
            .symbols
            .iter()
            .filter(|y| y.kind == ScopeKind::Local && !y.is_param)
            .map(|y| y.name.clone());
        let _ = writeln!(h, ";; parameters  {}", list(s.params.clone()));
        let _ = writeln!(h, ";; locals      {}", list(locals.collect()));
        let cells = s.cellvars.iter().map(|c| {
            let mut notes = Vec::new();
            if let Some(Reason::CapturedBy(v)) = s.symbol(c).map(|y| &y.reason) {
                if !v.is_empty() {
                    notes.push(format!("captured by {}", v.join(", ")));
                }
            }
            // A frozen capture gets no cell: its closures hold the value itself.
            if prog.frozen.contains(&(s.id, c.clone())) {
                notes.push("frozen: no cell".to_string());
            }
            if notes.is_empty() {
                c.clone()
            } else {
                format!("{c} ({})", notes.join("; "))
            }
        });
        let _ = writeln!(h, ";; cells       {}", list(cells.collect()));
        let frees = s.freevars.iter().map(|f| match binder(scopes, s, f) {
            Some(b) => format!("{f} (cell of {})", b.qualname),
            None => f.clone(),
        });
        let _ = writeln!(h, ";; free        {}", list(frees.collect()));
        if s.freevars.is_empty() {
            let _ = writeln!(h, ";; env record  empty (no free variables)");
        } else {
            let _ = writeln!(
                h,
                ";; env record  in the closure v0 (a FunctionObj) from +{FUNCTION_ENV_OFFSET}: one cell per free variable; value at [cell+{CELL_VALUE_OFFSET}]"
            );
            for (i, f) in s.freevars.iter().enumerate() {
                // A frozen capture (a parameter nothing rebinds) is stored by value.
                let frozen = binder(scopes, s, f)
                    .map(|b| prog.frozen.contains(&(b.id, f.clone())))
                    .unwrap_or(false);
                let _ = writeln!(
                    h,
                    ";;     +{:<4} env[{i}]  {f}{}",
                    FUNCTION_ENV_OFFSET as usize + 8 * i,
                    if frozen {
                        "  (frozen: the value itself, no cell)"
                    } else {
                        ""
                    }
                );
            }
        }
    }
    let mut globals: Vec<String> = Vec::new();
    for y in &s.symbols {
        let global = s.is_module || matches!(y.kind, ScopeKind::GlobalExplicit | ScopeKind::GlobalImplicit);
        if let (true, Some(&slot)) = (global, prog.global_slots.get(&y.name)) {
            globals.push(format!("{} [&globals+{}]", y.name, 8 * slot));
        }
    }
    let _ = writeln!(h, ";; globals     {}", list(globals));
    for &child in &s.children {
        let c = scopes.get(child);
        let line = prog
            .defs
            .get(&child)
            .map(|f| prog.source.line(f.span.start))
            .unwrap_or(0);
        let env: Vec<String> = c
            .freevars
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let how = if s.freevars.contains(f) {
                    "our free cell"
                } else if prog.self_bound.contains(&(s.id, f.clone())) && *f == c.name {
                    "the new closure itself"
                } else if prog.frozen.contains(&(s.id, f.clone())) {
                    "our value, frozen"
                } else {
                    "our cell"
                };
                format!("env[{i}] (+{}) <- {f} ({how})", FUNCTION_ENV_OFFSET as usize + 8 * i)
            })
            .collect();
        let env = if env.is_empty() {
            "no environment".to_string()
        } else {
            env.join(", ")
        };
        let _ = writeln!(h, ";; makes       {} (line {line}): {env}", c.qualname);
    }
    h
}
