//! Helpers shared by the tests of the built `catchall` binary: running it from the repository root and reading what it printed.

#![allow(
    dead_code,
    reason = "each test binary uses its own subset of the helpers"
)]

use std::path::Path;
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `catchall` from the repository root (so paths in its output are the relative ones
/// given here).
pub fn catchall(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_catchall"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the catchall binary runs")
}

/// What it printed on stdout.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What it printed on stderr.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
