//! The `cellar` command line.

use cellar::driver::{self, RunConfig};
use cellar::jit::CompileOptions;
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
    /// Print the Cranelift IR of every function to stderr before running.
    #[arg(long)]
    dump_ir: bool,
    /// Maximum Python call depth before RecursionError.
    #[arg(long, default_value_t = 1000)]
    recursion_limit: u64,
    /// Collect garbage at every safepoint after an allocation (also CELLAR_GC_TORTURE=1).
    #[arg(long)]
    gc_torture: bool,
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
    /// Print the Cranelift IR of every function.
    Ir {
        /// The Python file.
        file: String,
        /// Only functions whose name or qualname is this.
        #[arg(long = "fn")]
        function: Option<String>,
        /// Which stage to show.
        #[arg(long, value_enum, default_value_t = Stage::Built)]
        stage: Stage,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Stage {
    /// As lowered.
    Built,
    /// After Cranelift's optimiser.
    Opt,
    /// Machine code.
    Asm,
}

fn run(file: String, args: RunArgs) -> i32 {
    let torture = args.gc_torture || std::env::var("CELLAR_GC_TORTURE").map(|v| v == "1").unwrap_or(false);
    let cfg = RunConfig { gc_torture: torture, recursion_limit: args.recursion_limit, stats: args.stats, dump_ir: args.dump_ir };
    driver::with_big_stack(move || driver::run_file(&file, &cfg))
}

fn ir(file: String, function: Option<String>, stage: Stage) -> i32 {
    driver::with_big_stack(move || {
        let source = match driver::read_source(&file) {
            Ok(s) => s,
            Err((msg, status)) => {
                eprintln!("{msg}");
                return status;
            }
        };
        cellar_runtime::vm::init(&file, &source, false, 1000);
        let opts = CompileOptions {
            keep_ir: matches!(stage, Stage::Built),
            keep_opt_ir: matches!(stage, Stage::Opt),
            keep_asm: matches!(stage, Stage::Asm),
        };
        let prog = match driver::compile_source(&file, &source, &opts) {
            Ok(p) => p,
            Err(msg) => {
                eprint!("{msg}");
                return 1;
            }
        };
        for f in &prog.ir {
            if let Some(want) = &function {
                let short = f.qualname.rsplit('.').next().unwrap_or("");
                if want != &f.qualname && want != short {
                    continue;
                }
            }
            let text = match stage {
                Stage::Built => &f.built,
                Stage::Opt => &f.opt,
                Stage::Asm => &f.asm,
            };
            println!(";; {} ({}), line {}\n{}", f.qualname, f.symbol, f.line, text);
        }
        0
    })
}

fn main() {
    let cli = Cli::parse();
    let status = match cli.command {
        Some(Command::Run { file, args }) => run(file, args),
        Some(Command::Ir { file, function, stage }) => ir(file, function, stage),
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
