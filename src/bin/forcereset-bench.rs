//! `forcereset-bench`: how fast the real `forcereset serve` answers, next to a bare hyper server sending the same
//! bytes, with start-up time and memory. One command:
//!
//! ```sh
//! cargo run --release --bin forcereset-bench -- [--duration 5] [--connections 32] [--scenario wsdl,profile]
//! ```
//!
//! See docs/BENCHMARKS.md for what each figure means and what limits it. The work lives in `bench/`.

mod bench;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

#[derive(Parser, Debug)]
#[command(
    name = "forcereset-bench",
    about = "Benchmark the real forcereset server against a bare hyper baseline over real sockets",
    long_about = "Starts the real `forcereset serve` binary on a temporary data directory and a bare hyper server \
                  answering with the same bytes, drives both with a keep-alive load generator, and prints \
                  requests/s, p50/p99 latency and the ratio to the baseline per scenario, plus start-up time, \
                  memory and the raw argon2 rate.\n\nExample: cargo run --release --bin forcereset-bench -- --duration 10"
)]
struct Cli {
    #[command(flatten)]
    options: bench::options::Options,
    /// Internal: serve the canned responses of SPEC as the baseline (started by the bench itself)
    #[arg(long, hide = true, value_name = "SPEC")]
    baseline_serve: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.baseline_serve {
        Some(spec) => bench::baseline::serve(spec),
        None => bench::run::run(&cli.options),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("forcereset-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}
