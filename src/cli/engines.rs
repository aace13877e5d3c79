//! `--engines`: parsing an engine list and building the engines, shared by every subcommand.

use anyhow::{Context, bail};
use oracles::{Engine, EngineKind};

/// The engines named by a comma-separated list, or every engine built in when `list` is
/// `None`. Unknown names are an error listing the known ones.
pub fn select(list: Option<&str>) -> anyhow::Result<Vec<Box<dyn Engine>>> {
    let kinds: Vec<EngineKind> = match list {
        None => EngineKind::ALL.to_vec(),
        Some(list) => {
            let mut kinds = Vec::new();
            for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                let Some(kind) = EngineKind::from_name(name) else {
                    bail!(
                        "unknown engine `{name}` (known engines: {}; mutants as mutant:NAME, \
                         see catchall calibrate --list)",
                        EngineKind::all_names()
                    );
                };
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
            if kinds.is_empty() {
                bail!(
                    "--engines needs at least one engine ({})",
                    EngineKind::all_names()
                );
            }
            kinds
        }
    };
    let mut engines = Vec::new();
    for kind in kinds {
        match kind.build() {
            Ok(e) => engines.push(e),
            // By default every engine that builds takes part; an engine asked for by name
            // must build.
            Err(e) if list.is_none() => eprintln!("warning: {e}"),
            Err(e) => return Err(e).context("building the selected engines"),
        }
    }
    Ok(engines)
}
