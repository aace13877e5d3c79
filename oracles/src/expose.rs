//! `expose`: rewrites a module so that every item of every index space is exported, which lets
//! the host observe state (memories, globals, tables) and identities (functions, tags) through
//! each engine's public API alone.
//!
//! The rewrite only adds exports named `catchall:<kind>:<index>` to the export section; every
//! other section is copied byte for byte, so the code every engine compiles is unchanged. The
//! same rewritten bytes are given to every engine, so all of them see the same module.

use crate::module_info::{ItemKind, ModuleInfo, SYNTHETIC_EXPORT_PREFIX};
use crate::outcome::ModuleError;
use std::collections::HashSet;
use wasm_encoder::{ExportKind, ExportSection, RawSection};
use wasmparser::{Parser, Payload};

/// Returns `wasm` with an export added for every function, table, memory, global and tag that
/// the module does not already export. Bytes that do not parse as a module are returned as an
/// error; the caller then runs the original bytes (and every engine rejects them alike).
pub fn expose(wasm: &[u8]) -> Result<Vec<u8>, ModuleError> {
    let info = ModuleInfo::parse(wasm)?;
    let malformed = |e: wasmparser::BinaryReaderError| ModuleError::Malformed(e.message().into());

    let mut exports = ExportSection::new();
    let mut names: HashSet<&str> = HashSet::new();
    for e in &info.exports {
        exports.export(&e.name, export_kind(e.kind), e.index);
        names.insert(&e.name);
    }
    let mut added = 0;
    let mut extra = ExportSection::new();
    for kind in [
        ItemKind::Func,
        ItemKind::Table,
        ItemKind::Memory,
        ItemKind::Global,
        ItemKind::Tag,
    ] {
        for index in 0..info.count(kind) {
            if info
                .exports
                .iter()
                .any(|e| e.kind == kind && e.index == index)
            {
                continue;
            }
            let name = format!("{SYNTHETIC_EXPORT_PREFIX}{}:{index}", kind.name());
            if names.contains(name.as_str()) {
                continue;
            }
            exports.export(&name, export_kind(kind), index);
            extra.export(&name, export_kind(kind), index);
            added += 1;
        }
    }
    if added == 0 {
        return Ok(wasm.to_vec());
    }

    let mut out = wasm_encoder::Module::new();
    let mut wrote_exports = false;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(malformed)?;
        if let Payload::ExportSection(_) = payload {
            out.section(&exports);
            wrote_exports = true;
            continue;
        }
        let Some((id, range)) = payload.as_section() else {
            continue;
        };
        if !wrote_exports && comes_after_exports(id) {
            out.section(&exports);
            wrote_exports = true;
        }
        out.section(&RawSection {
            id,
            data: &wasm[range.start as usize..range.end as usize],
        });
    }
    if !wrote_exports {
        out.section(&exports);
    }
    Ok(out.finish())
}

/// Whether a section with this id must come after the export section.
fn comes_after_exports(id: u8) -> bool {
    // start 8, element 9, code 10, data 11, data count 12. Custom sections (0) may sit anywhere;
    // they stay where they were relative to their neighbours.
    matches!(id, 8..=12)
}

fn export_kind(kind: ItemKind) -> ExportKind {
    match kind {
        ItemKind::Func => ExportKind::Func,
        ItemKind::Table => ExportKind::Table,
        ItemKind::Memory => ExportKind::Memory,
        ItemKind::Global => ExportKind::Global,
        ItemKind::Tag => ExportKind::Tag,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_every_item_and_keeps_the_module_valid() {
        let wasm = wat::parse_str(
            r#"(module
                 (import "spectest" "global_i32" (global i32))
                 (tag $t (param i32))
                 (memory 1) (table 2 funcref) (global (mut i64) (i64.const 0))
                 (func $f (export "f") (throw $t (i32.const 1)))
                 (func $g)
                 (start $g))"#,
        )
        .unwrap();
        let exposed = expose(&wasm).unwrap();
        let features = wasmparser::WasmFeatures::all();
        wasmparser::Validator::new_with_features(features)
            .validate_all(&exposed)
            .unwrap();
        let info = ModuleInfo::parse(&exposed).unwrap();
        assert_eq!(info.export_name(ItemKind::Func, 0), Some("f"));
        assert_eq!(info.any_export(ItemKind::Func, 1), Some("catchall:func:1"));
        assert_eq!(
            info.any_export(ItemKind::Global, 0),
            Some("catchall:global:0")
        );
        assert_eq!(
            info.any_export(ItemKind::Global, 1),
            Some("catchall:global:1")
        );
        assert_eq!(info.any_export(ItemKind::Tag, 0), Some("catchall:tag:0"));
        assert_eq!(
            info.any_export(ItemKind::Memory, 0),
            Some("catchall:memory:0")
        );
        assert_eq!(
            info.any_export(ItemKind::Table, 0),
            Some("catchall:table:0")
        );
        assert_eq!(info.export_name(ItemKind::Tag, 0), None);
        assert_eq!(info.exported_funcs().count(), 1);
        assert_eq!(info.start, Some(1));
    }

    #[test]
    fn a_module_that_exports_everything_is_unchanged() {
        let wasm = wat::parse_str(r#"(module (func (export "f")))"#).unwrap();
        assert_eq!(expose(&wasm).unwrap(), wasm);
    }
}
