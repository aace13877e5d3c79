//! The `catchall` command line.
fn main() {}
