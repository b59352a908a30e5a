//! The `cellar` command line.

use cellar::driver::{self, RunConfig};
use clap::{Parser, Subcommand, ValueEnum};

#[global_allocator]
static ALLOCATOR: cellar_runtime::alloc::CountingAllocator = cellar_runtime::alloc::CountingAllocator;

/// Cellar: a JIT-compiling closure runtime for a subset of Python.
#[derive(Parser)]
#[command(name = "cellar", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Program to run (same as `cellar run FILE`).
    file: Option<String>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(clap::Args, Clone, Default)]
struct RunArgs {
    /// Print runtime counters (closures, cells, collections, peak heap) to stderr.
    #[arg(long)]
    stats: bool,
    /// Print the `cellar ir` listing of every function to stderr before running, and the
    /// CLIF of each closure specialised while it ran (see `cellar::jit::specialize`).
    #[arg(long)]
    dump_ir: bool,
    /// Maximum Python call depth before RecursionError.
    #[arg(long, default_value_t = 1000)]
    recursion_limit: u64,
    /// Collect garbage at every safepoint after an allocation (also CELLAR_GC_TORTURE=1).
    #[arg(long)]
    gc_torture: bool,
    /// Run the interpreter baseline instead of the JIT.
    #[arg(long)]
    interp: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Compile a program to native code and run it.
    Run {
        /// The Python file.
        file: String,
        #[command(flatten)]
        args: RunArgs,
    },
    /// Time the JIT, the interpreter and python3 on programs and compare them.
    Bench {
        /// The Python files.
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// Timed runs per engine and file.
        #[arg(short = 'n', default_value_t = 5)]
        runs: usize,
        /// Untimed warm-up runs per engine and file.
        #[arg(long, default_value_t = 1)]
        warmup: usize,
        /// Do not run python3.
        #[arg(long)]
        no_python: bool,
        /// Write the results as JSON to this file.
        #[arg(long, value_name = "OUT.json")]
        json: Option<std::path::PathBuf>,
        /// Draw the speed-ups as an SVG bar chart in this file.
        #[arg(long, value_name = "OUT.svg")]
        plot: Option<std::path::PathBuf>,
    },
    /// Print the Cranelift IR of every function.
    ///
    /// The module body too. Each function is headed by its qualname and source line, its
    /// parameters, locals, cells, free variables, environment record layout and globals;
    /// source lines are marked with `; line N:` comments and runtime addresses are printed
    /// symbolically (`&vm`, `&'str'`, `&code(qualname)`).
    Ir {
        /// The Python file.
        file: String,
        /// Only functions whose name, qualname or symbol (py_N) is this.
        #[arg(long = "fn")]
        function: Option<String>,
        /// Which stage to show.
        #[arg(long, value_enum, default_value_t = Stage::Built)]
        stage: Stage,
        /// Print a Graphviz dot graph of each function's blocks (built, prepared or opt stage) instead,
        /// one `digraph` per function on stdout; pick one with --fn, e.g.
        /// `cellar ir prog.py --fn averager --cfg | dot -Tsvg > averager.svg`.
        #[arg(long)]
        cfg: bool,
    },
    /// Print every scope as CPython's symtable sees it.
    ///
    /// Per scope: parameters, locals, cells, free variables and globals, each with the reason
    /// for its class (assigned, parameter, declared nonlocal/global, captured by which inner
    /// function, cell of which outer function).
    Scopes {
        /// The Python file.
        file: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Stage {
    /// As lowered.
    Built,
    /// After inlining and Cellar's own passes (slow-path calls routed, reloads removed), as
    /// Cranelift's optimiser gets it.
    Prepared,
    /// After Cranelift's optimiser.
    Opt,
    /// Machine code.
    Asm,
}

/// Let malloc grow its heaps 4 MiB at a time instead of a page or two. The compile
/// helper thread's malloc arena otherwise grows by one `mprotect` per step: ~130 of them
/// while counter compiles (15 with this), which cost 3-4% of a run at n=1. Reserved pages
/// that are never touched take no memory, and `malloc_trim` still returns free ones.
fn grow_malloc_heaps_in_steps() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a malloc tunable; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 4 << 20);
    }
}

fn run(file: String, args: RunArgs) -> i32 {
    let torture = args.gc_torture || std::env::var("CELLAR_GC_TORTURE").map(|v| v == "1").unwrap_or(false);
    let cfg = RunConfig {
        gc_torture: torture,
        recursion_limit: args.recursion_limit,
        stats: args.stats,
        dump_ir: args.dump_ir,
        interp: args.interp,
    };
    // The process ends on the big-stack thread itself: tearing that thread down first
    // (returning its 1 GiB stack to the system, then joining it) would only cost time.
    driver::with_big_stack(move || std::process::exit(driver::run_file(&file, &cfg)))
}

fn ir(file: String, function: Option<String>, stage: Stage, cfg: bool) -> i32 {
    let stage = match stage {
        Stage::Built => cellar::jit::Stage::Built,
        Stage::Prepared => cellar::jit::Stage::Prepared,
        Stage::Opt => cellar::jit::Stage::Opt,
        Stage::Asm => cellar::jit::Stage::Asm,
    };
    cellar::inspect::ir(file, function, stage, cfg)
}

fn main() {
    grow_malloc_heaps_in_steps();
    let cli = Cli::parse();
    let status = match cli.command {
        Some(Command::Run { file, args }) => run(file, args),
        Some(Command::Ir {
            file,
            function,
            stage,
            cfg,
        }) => ir(file, function, stage, cfg),
        Some(Command::Scopes { file }) => cellar::inspect::scopes(file),
        Some(Command::Bench {
            files,
            runs,
            warmup,
            no_python,
            json,
            plot,
        }) => cellar::bench::run(&cellar::bench::BenchConfig {
            files,
            runs,
            warmup,
            python: !no_python,
            json,
            plot,
        }),
        None => match cli.file {
            Some(file) => run(file, cli.run),
            None => {
                use clap::CommandFactory;
                Cli::command().print_help().ok();
                2
            }
        },
    };
    std::process::exit(status);
}
