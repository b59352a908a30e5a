//! Runs a program end to end: read, parse, analyse, compile, execute, report.
//!
//! Exit statuses follow `python`: 0 on success, 1 for an uncaught exception or a
//! SyntaxError, 2 when the file cannot be read.

use crate::jit::{self, CompileOptions, CompiledProgram};
use crate::scope;
use crate::syntax::{lower, SourceText};
use cellar_runtime::value::EXC;

/// Settings of one run.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// Collect at every poll after any allocation.
    pub gc_torture: bool,
    /// Maximum Python call depth (CPython's default is 1000).
    pub recursion_limit: u64,
    /// Print runtime counters to stderr at exit.
    pub stats: bool,
    /// Print the IR of every function to stderr before running.
    pub dump_ir: bool,
    /// Run the interpreter baseline instead of compiling to native code.
    pub interp: bool,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            gc_torture: false,
            recursion_limit: 1000,
            stats: false,
            dump_ir: false,
            interp: false,
        }
    }
}

/// Read a source file as CPython does; `Err((message, status))` when it cannot.
pub fn read_source(path: &str) -> Result<String, (String, i32)> {
    let bytes = std::fs::read(path).map_err(|e| {
        let errno = e.raw_os_error().unwrap_or(2);
        let msg = match e.kind() {
            std::io::ErrorKind::NotFound => "No such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "Permission denied".to_string(),
            _ => e.to_string(),
        };
        (format!("cellar: can't open file '{path}': [Errno {errno}] {msg}"), 2)
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let pos = e.utf8_error().valid_up_to();
        let src = e.as_bytes();
        let line = src[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
        (
            format!(
                "SyntaxError: Non-UTF-8 code starting with '\\x{:02x}' in file {path} on line {line}, but no encoding declared; see https://peps.python.org/pep-0263/ for details",
                src[pos]
            ),
            1,
        )
    })
}

/// Parse, analyse and compile `source`. The VM must be initialised. On a compile error,
/// returns the rendered CPython-style message.
pub fn compile_source(path: &str, source: &str, opts: &CompileOptions) -> Result<CompiledProgram, String> {
    let src = SourceText::new(source.to_string());
    let ast = lower::parse_module(&src).map_err(|e| e.render(path, &src))?;
    let scopes = scope::analyze(&ast).map_err(|e| e.render(path, &src))?;
    jit::compile(&ast, &scopes, &src, path, opts).map_err(|e| format!("cellar: internal compiler error: {e}\n"))
}

/// Parse and analyse `source` and compile it for the interpreter. The VM must be
/// initialised. On a compile error, returns the rendered CPython-style message.
pub fn compile_interp(path: &str, source: &str) -> Result<crate::interp::Program, String> {
    let src = SourceText::new(source.to_string());
    let ast = lower::parse_module(&src).map_err(|e| e.render(path, &src))?;
    let scopes = scope::analyze(&ast).map_err(|e| e.render(path, &src))?;
    Ok(crate::interp::compile(&ast, &scopes, &src, path))
}

/// A program ready to run under one of the engines.
enum Prepared {
    Jit(CompiledProgram),
    Interp(crate::interp::Program),
}

/// Native stack of the thread [`with_big_stack`] makes.
pub const BIG_STACK_BYTES: usize = 1 << 30;

/// Run a file; returns the process exit status. Runs on the current thread, which must
/// have [`BIG_STACK_BYTES`] of stack (see [`with_big_stack`]).
pub fn run_file(path: &str, cfg: &RunConfig) -> i32 {
    let source = match read_source(path) {
        Ok(s) => s,
        Err((msg, status)) => {
            eprintln!("{msg}");
            return status;
        }
    };
    cellar_runtime::vm::init(path, &source, cfg.gc_torture, cfg.recursion_limit);
    let opts = CompileOptions {
        keep_ir: cfg.dump_ir,
        ..Default::default()
    };
    let compile_start = std::time::Instant::now();
    let compiled = if cfg.interp {
        compile_interp(path, &source).map(Prepared::Interp)
    } else {
        compile_source(path, &source, &opts).map(Prepared::Jit)
    };
    let compile_time = compile_start.elapsed();
    let prog = match compiled {
        Ok(p) => p,
        Err(msg) => {
            eprint!("{msg}");
            return 1;
        }
    };
    let result = match &prog {
        Prepared::Jit(prog) => {
            if cfg.dump_ir {
                for f in &prog.ir {
                    eprintln!("{}", f.listing(crate::jit::Stage::Built));
                }
                crate::jit::specialize::keep_listings();
            }
            let result = unsafe { (prog.entry)(cellar_runtime::value::Value(0)) };
            // Closures specialised while the program ran (see `jit::specialize`).
            if cfg.dump_ir {
                for l in crate::jit::specialize::listings() {
                    eprintln!("{l}");
                }
            }
            result
        }
        // The stack in use so far (the thread's start, reading and compiling) is small;
        // keep a generous margin for the runtime's own recursion below the last frame.
        Prepared::Interp(prog) => prog.run(BIG_STACK_BYTES - (64 << 20)),
    };
    let status = if result == EXC {
        let exc = cellar_runtime::vm::take_exception();
        match cellar_runtime::exceptions::system_exit_status(exc) {
            Some(status) => status,
            None => {
                cellar_runtime::exceptions::print_uncaught(exc);
                if cellar_runtime::exceptions::is_instance_of(exc, cellar_runtime::types::TypeId::KeyboardInterrupt) {
                    // CPython ends by SIGINT then, so that its parent sees an interrupted
                    // child (a shell's status 130).
                    cellar_runtime::vm::flush_stdout();
                    unsafe {
                        libc::signal(libc::SIGINT, libc::SIG_DFL);
                        libc::raise(libc::SIGINT);
                    }
                }
                1
            }
        }
    } else {
        0
    };
    cellar_runtime::vm::flush_stdout();
    if cfg.stats {
        let s = cellar_runtime::gc::stats();
        eprintln!(
            "closures created: {}\ncells created: {}\nobjects allocated: {}\ngc collections: {}\npeak heap bytes: {}",
            s.closures_created,
            s.cells_created,
            s.objects_allocated(),
            s.collections,
            s.peak_heap_bytes
        );
        eprintln!("compile time: {:.3} ms", compile_time.as_secs_f64() * 1000.0);
        eprintln!(
            "closures specialised: {}",
            cellar_runtime::specialize::specialized_count()
        );
    }
    status
}

/// Run `f` on a thread with a large stack (deep Python recursion and deep source nesting
/// need more than the default 8 MiB), returning its result.
pub fn with_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(BIG_STACK_BYTES)
        .spawn(f)
        .expect("spawn interpreter thread")
        .join()
        .unwrap_or_else(|_| std::process::exit(70))
}
