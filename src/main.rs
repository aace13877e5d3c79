//! The `catchall` command line: one subcommand per file under `src/cli/`.

use std::process::ExitCode;

fn main() -> ExitCode {
    catchall::cli::main()
}
