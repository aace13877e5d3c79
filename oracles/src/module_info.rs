//! `ModuleInfo`: what the host needs to know about a module (index spaces, exports, signatures)
//! and which proposals it uses, read in one pass with wasmparser.

use crate::features::Features;
use crate::outcome::{IndexType, ModuleError};
use crate::value::ValType;
use wasmparser::{ExternalKind, Operator, Parser, Payload, TypeRef};

/// The prefix of the export names [`crate::expose`] adds; such exports are not the module's own.
pub const SYNTHETIC_EXPORT_PREFIX: &str = "catchall:";

/// The kind of an importable or exportable item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// A function.
    Func,
    /// A table.
    Table,
    /// A memory.
    Memory,
    /// A global.
    Global,
    /// A tag.
    Tag,
}

impl ItemKind {
    fn from_external(kind: ExternalKind) -> Option<ItemKind> {
        Some(match kind {
            ExternalKind::Func | ExternalKind::FuncExact => ItemKind::Func,
            ExternalKind::Table => ItemKind::Table,
            ExternalKind::Memory => ItemKind::Memory,
            ExternalKind::Global => ItemKind::Global,
            ExternalKind::Tag => ItemKind::Tag,
        })
    }

    /// The lowercase name of the kind (`func`, `table`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ItemKind::Func => "func",
            ItemKind::Table => "table",
            ItemKind::Memory => "memory",
            ItemKind::Global => "global",
            ItemKind::Tag => "tag",
        }
    }
}

/// A function signature. `None` entries are types outside catchall's value vocabulary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FuncSig {
    /// Parameter types.
    pub params: Vec<Option<ValType>>,
    /// Result types.
    pub results: Vec<Option<ValType>>,
}

impl FuncSig {
    /// The parameter types when all of them are in catchall's vocabulary.
    pub fn known_params(&self) -> Option<Vec<ValType>> {
        self.params.iter().copied().collect()
    }
}

/// An import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportInfo {
    /// The module name.
    pub module: String,
    /// The field name.
    pub name: String,
    /// What is imported.
    pub kind: ItemKind,
}

/// An export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportInfo {
    /// The export name.
    pub name: String,
    /// What is exported.
    pub kind: ItemKind,
    /// Its index in the kind's index space.
    pub index: u32,
}

impl ExportInfo {
    /// Whether this export was added by [`crate::expose`] rather than written by the module.
    pub fn is_synthetic(&self) -> bool {
        self.name.starts_with(SYNTHETIC_EXPORT_PREFIX)
    }
}

/// A memory's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryInfo {
    /// Its index type.
    pub index_type: IndexType,
    /// Its minimum size in pages.
    pub min: u64,
    /// Its maximum size in pages.
    pub max: Option<u64>,
}

/// A table's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableInfo {
    /// Its index type.
    pub index_type: IndexType,
    /// Its element type, when in catchall's vocabulary.
    pub element: Option<ValType>,
}

/// A global's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalInfo {
    /// Its value type, when in catchall's vocabulary.
    pub ty: Option<ValType>,
    /// Whether it is mutable.
    pub mutable: bool,
}

/// What the host knows about a module: every index space (imports first), exports, signatures,
/// and the proposals its code uses.
#[derive(Clone, Debug, Default)]
pub struct ModuleInfo {
    /// Function signatures of the type section; `None` for non-function types.
    pub types: Vec<Option<FuncSig>>,
    /// The type index of every function.
    pub funcs: Vec<u32>,
    /// The type index of every tag.
    pub tags: Vec<u32>,
    /// Every memory.
    pub memories: Vec<MemoryInfo>,
    /// Every table.
    pub tables: Vec<TableInfo>,
    /// Every global.
    pub globals: Vec<GlobalInfo>,
    /// Imports in order.
    pub imports: Vec<ImportInfo>,
    /// Exports in order, including synthetic ones.
    pub exports: Vec<ExportInfo>,
    /// The start function.
    pub start: Option<u32>,
    /// The proposals the module uses.
    pub features: Features,
}

impl ModuleInfo {
    /// Reads a module. Function bodies are scanned for the proposals they use, not validated.
    pub fn parse(wasm: &[u8]) -> Result<ModuleInfo, ModuleError> {
        let mut info = ModuleInfo::default();
        let mut features = Features::NONE;
        let err =
            |e: wasmparser::BinaryReaderError| ModuleError::Malformed(e.message().to_string());
        for payload in Parser::new(0).parse_all(wasm) {
            match payload.map_err(err)? {
                Payload::Version { encoding, .. } if encoding != wasmparser::Encoding::Module => {
                    return Err(ModuleError::Malformed(
                        "a component, not a core module".into(),
                    ));
                }
                Payload::TypeSection(r) => {
                    for group in r {
                        let group = group.map_err(err)?;
                        if !group.is_explicit_rec_group() && group.types().len() == 1 {
                            // Plain MVP-style type.
                        } else {
                            features.insert(Features::GC);
                        }
                        for sub in group.into_types() {
                            if !sub.is_final || !sub.supertype_idxs.is_empty() {
                                features.insert(Features::GC);
                            }
                            match &sub.composite_type.inner {
                                wasmparser::CompositeInnerType::Func(f) => {
                                    for t in f.params().iter().chain(f.results()) {
                                        features.insert(val_type_features(*t));
                                    }
                                    if f.results().len() > 1 {
                                        features.insert(Features::MULTI_VALUE);
                                    }
                                    info.types.push(Some(FuncSig {
                                        params: f
                                            .params()
                                            .iter()
                                            .map(|t| ValType::from_wasmparser(*t))
                                            .collect(),
                                        results: f
                                            .results()
                                            .iter()
                                            .map(|t| ValType::from_wasmparser(*t))
                                            .collect(),
                                    }));
                                }
                                wasmparser::CompositeInnerType::Cont(_) => {
                                    features.insert(Features::STACK_SWITCHING | Features::GC_TYPES);
                                    info.types.push(None);
                                }
                                _ => {
                                    // Struct and array types: wasmparser's `gc_types` gates
                                    // their definition.
                                    features.insert(Features::GC | Features::GC_TYPES);
                                    info.types.push(None);
                                }
                            }
                        }
                    }
                }
                Payload::ImportSection(r) => {
                    for import in r.into_imports() {
                        let import = import.map_err(err)?;
                        let kind = match import.ty {
                            TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                                info.funcs.push(t);
                                ItemKind::Func
                            }
                            TypeRef::Table(t) => {
                                features.insert(table_features(&t));
                                info.tables.push(table_info(&t));
                                ItemKind::Table
                            }
                            TypeRef::Memory(m) => {
                                features.insert(memory_features(&m));
                                info.memories.push(memory_info(&m));
                                ItemKind::Memory
                            }
                            TypeRef::Global(g) => {
                                features.insert(val_type_features(g.content_type));
                                if g.shared {
                                    features.insert(Features::THREADS);
                                }
                                info.globals.push(GlobalInfo {
                                    ty: ValType::from_wasmparser(g.content_type),
                                    mutable: g.mutable,
                                });
                                ItemKind::Global
                            }
                            TypeRef::Tag(t) => {
                                features.insert(Features::EXCEPTIONS);
                                info.tags.push(t.func_type_idx);
                                ItemKind::Tag
                            }
                        };
                        info.imports.push(ImportInfo {
                            module: import.module.to_string(),
                            name: import.name.to_string(),
                            kind,
                        });
                    }
                }
                Payload::FunctionSection(r) => {
                    for t in r {
                        info.funcs.push(t.map_err(err)?);
                    }
                }
                Payload::TableSection(r) => {
                    for t in r {
                        let t = t.map_err(err)?;
                        features.insert(table_features(&t.ty));
                        if let wasmparser::TableInit::Expr(e) = &t.init {
                            features.insert(Features::FUNCTION_REFERENCES);
                            scan_const_expr(e, info.defined_globals(), &mut features)?;
                        }
                        info.tables.push(table_info(&t.ty));
                    }
                }
                Payload::MemorySection(r) => {
                    for m in r {
                        let m = m.map_err(err)?;
                        features.insert(memory_features(&m));
                        info.memories.push(memory_info(&m));
                    }
                }
                Payload::TagSection(r) => {
                    for t in r {
                        let t = t.map_err(err)?;
                        features.insert(Features::EXCEPTIONS);
                        info.tags.push(t.func_type_idx);
                    }
                }
                Payload::GlobalSection(r) => {
                    for g in r {
                        let g = g.map_err(err)?;
                        features.insert(val_type_features(g.ty.content_type));
                        if g.ty.shared {
                            features.insert(Features::THREADS);
                        }
                        scan_const_expr(&g.init_expr, info.defined_globals(), &mut features)?;
                        info.globals.push(GlobalInfo {
                            ty: ValType::from_wasmparser(g.ty.content_type),
                            mutable: g.ty.mutable,
                        });
                    }
                }
                Payload::ExportSection(r) => {
                    for e in r {
                        let e = e.map_err(err)?;
                        if let Some(kind) = ItemKind::from_external(e.kind) {
                            info.exports.push(ExportInfo {
                                name: e.name.to_string(),
                                kind,
                                index: e.index,
                            });
                        }
                    }
                }
                Payload::StartSection { func, .. } => info.start = Some(func),
                Payload::ElementSection(r) => {
                    for e in r {
                        let e = e.map_err(err)?;
                        if let wasmparser::ElementKind::Active { offset_expr, .. } = &e.kind {
                            scan_const_expr(offset_expr, info.defined_globals(), &mut features)?;
                        }
                        if let wasmparser::ElementItems::Expressions(ty, exprs) = e.items {
                            features.insert(val_type_features(wasmparser::ValType::Ref(ty)));
                            for expr in exprs {
                                scan_const_expr(
                                    &expr.map_err(err)?,
                                    info.defined_globals(),
                                    &mut features,
                                )?;
                            }
                        }
                    }
                }
                Payload::DataSection(r) => {
                    for d in r {
                        let d = d.map_err(err)?;
                        if let wasmparser::DataKind::Active {
                            memory_index,
                            offset_expr,
                        } = &d.kind
                        {
                            if *memory_index != 0 {
                                features.insert(Features::MULTI_MEMORY);
                            }
                            scan_const_expr(offset_expr, info.defined_globals(), &mut features)?;
                        }
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    for local in body.get_locals_reader().map_err(err)? {
                        let (_, ty) = local.map_err(err)?;
                        features.insert(val_type_features(ty));
                    }
                    let mut ops = body.get_operators_reader().map_err(err)?;
                    while !ops.eof() {
                        let op = ops.read().map_err(err)?;
                        features.insert(operator_features(&op));
                    }
                }
                _ => {}
            }
        }
        if info.memories.len() > 1 {
            features.insert(Features::MULTI_MEMORY);
        }
        info.features = features;
        Ok(info)
    }

    /// The signature of function `index`.
    pub fn func_sig(&self, index: u32) -> Option<&FuncSig> {
        let ty = *self.funcs.get(index as usize)?;
        self.types.get(ty as usize)?.as_ref()
    }

    /// The signature (payload types) of tag `index`.
    pub fn tag_sig(&self, index: u32) -> Option<&FuncSig> {
        let ty = *self.tags.get(index as usize)?;
        self.types.get(ty as usize)?.as_ref()
    }

    /// The indices of the globals the module defines itself among those read so far (while
    /// parsing, the globals defined before the current point).
    fn defined_globals(&self) -> std::ops::Range<u32> {
        self.imported(ItemKind::Global)..self.count(ItemKind::Global)
    }

    /// How many items of `kind` are imported.
    pub fn imported(&self, kind: ItemKind) -> u32 {
        self.imports.iter().filter(|i| i.kind == kind).count() as u32
    }

    /// How many items of `kind` the module's index space holds.
    pub fn count(&self, kind: ItemKind) -> u32 {
        (match kind {
            ItemKind::Func => self.funcs.len(),
            ItemKind::Table => self.tables.len(),
            ItemKind::Memory => self.memories.len(),
            ItemKind::Global => self.globals.len(),
            ItemKind::Tag => self.tags.len(),
        }) as u32
    }

    /// The module's own (non-synthetic) export name of an item, the first one if several.
    pub fn export_name(&self, kind: ItemKind, index: u32) -> Option<&str> {
        self.exports
            .iter()
            .find(|e| e.kind == kind && e.index == index && !e.is_synthetic())
            .map(|e| e.name.as_str())
    }

    /// Some export (synthetic or not) of an item: the name through which a host reaches it.
    pub fn any_export(&self, kind: ItemKind, index: u32) -> Option<&str> {
        let mut found = None;
        for e in &self.exports {
            if e.kind == kind && e.index == index {
                if !e.is_synthetic() {
                    return Some(&e.name);
                }
                found.get_or_insert(e.name.as_str());
            }
        }
        found
    }

    /// The module's own exported functions, in export order, with their signatures.
    pub fn exported_funcs(&self) -> impl Iterator<Item = (&str, u32, Option<&FuncSig>)> {
        self.exports
            .iter()
            .filter(|e| e.kind == ItemKind::Func && !e.is_synthetic())
            .map(|e| (e.name.as_str(), e.index, self.func_sig(e.index)))
    }

    /// Resolves an export name to its item.
    pub fn export(&self, name: &str) -> Option<&ExportInfo> {
        self.exports.iter().find(|e| e.name == name)
    }
}

fn memory_info(m: &wasmparser::MemoryType) -> MemoryInfo {
    MemoryInfo {
        index_type: if m.memory64 {
            IndexType::I64
        } else {
            IndexType::I32
        },
        min: m.initial,
        max: m.maximum,
    }
}

fn table_info(t: &wasmparser::TableType) -> TableInfo {
    TableInfo {
        index_type: if t.table64 {
            IndexType::I64
        } else {
            IndexType::I32
        },
        element: ValType::from_wasmparser(wasmparser::ValType::Ref(t.element_type)),
    }
}

fn memory_features(m: &wasmparser::MemoryType) -> Features {
    let mut f = Features::NONE;
    if m.memory64 {
        f.insert(Features::MEMORY64);
    }
    if m.shared {
        f.insert(Features::THREADS);
    }
    if m.page_size_log2.is_some() {
        f.insert(Features::CUSTOM_PAGE_SIZES);
    }
    f
}

fn table_features(t: &wasmparser::TableType) -> Features {
    // A `funcref` table is MVP; any other element type needs its proposal.
    let mut f = if t.element_type == wasmparser::RefType::FUNCREF {
        Features::NONE
    } else {
        val_type_features(wasmparser::ValType::Ref(t.element_type))
    };
    if t.table64 {
        f.insert(Features::MEMORY64);
    }
    if t.shared {
        f.insert(Features::THREADS);
    }
    f
}

/// The proposals a value type needs beyond the MVP.
fn val_type_features(ty: wasmparser::ValType) -> Features {
    match ty {
        wasmparser::ValType::V128 => Features::SIMD,
        wasmparser::ValType::Ref(r) => ref_type_features(r),
        _ => Features::NONE,
    }
}

/// The proposals a reference type needs beyond the MVP.
fn ref_type_features(r: wasmparser::RefType) -> Features {
    use wasmparser::{AbstractHeapType as A, HeapType as H};
    let mut f = match r.heap_type() {
        H::Abstract { shared: true, .. } => Features::OTHER,
        H::Abstract {
            ty: A::Exn | A::NoExn,
            ..
        } => {
            if r.is_nullable() {
                Features::EXCEPTIONS
            } else {
                Features::EXCEPTIONS | Features::FUNCTION_REFERENCES
            }
        }
        H::Abstract {
            ty: A::Func | A::Extern,
            ..
        } if r.is_nullable() => Features::REFERENCE_TYPES,
        H::Abstract {
            ty: A::Func | A::Extern | A::NoFunc | A::NoExtern,
            ..
        } => Features::FUNCTION_REFERENCES,
        H::Abstract {
            ty: A::Cont | A::NoCont,
            ..
        } => Features::STACK_SWITCHING,
        H::Abstract { .. } => Features::GC,
        _ => Features::FUNCTION_REFERENCES | Features::GC,
    };
    // wasmparser's `gc_types` switch gates every abstract heap type but these two.
    if let H::Abstract { ty, .. } = r.heap_type()
        && !matches!(ty, A::Func | A::Exn)
    {
        f.insert(Features::GC_TYPES);
    }
    f
}

/// Adds the proposals a constant expression uses. `defined` is the index range of the globals
/// the module defines that are known where the expression stands: a `global.get` of one of
/// them is [`Features::CONST_GLOBAL_GET`]; one of an imported global is MVP, and one of no
/// global at all is invalid whatever the engine supports, so it needs nothing.
fn scan_const_expr(
    e: &wasmparser::ConstExpr,
    defined: std::ops::Range<u32>,
    features: &mut Features,
) -> Result<(), ModuleError> {
    let mut r = e.get_operators_reader();
    while !r.eof() {
        let op = r
            .read()
            .map_err(|e| ModuleError::Malformed(e.message().to_string()))?;
        match op {
            Operator::I32Add
            | Operator::I32Sub
            | Operator::I32Mul
            | Operator::I64Add
            | Operator::I64Sub
            | Operator::I64Mul => features.insert(Features::EXTENDED_CONST),
            Operator::GlobalGet { global_index } if defined.contains(&global_index) => {
                features.insert(Features::CONST_GLOBAL_GET)
            }
            ref other => features.insert(operator_features(other)),
        }
    }
    Ok(())
}

macro_rules! define_proposal_of {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        /// The name of the proposal that introduced an operator, as wasmparser groups them.
        fn proposal_of(op: &Operator) -> &'static str {
            match op {
                $( Operator::$op { .. } => stringify!($proposal), )*
                #[allow(unreachable_patterns, reason = "future operators of a non-exhaustive enum")]
                _ => "unknown",
            }
        }
    };
}
wasmparser::for_each_operator!(define_proposal_of);

/// The proposals an operator needs beyond the MVP.
fn operator_features(op: &Operator) -> Features {
    let mut f = match proposal_of(op) {
        "mvp" => Features::NONE,
        "exceptions" => Features::EXCEPTIONS,
        "legacy_exceptions" => Features::LEGACY_EXCEPTIONS,
        "tail_call" => Features::TAIL_CALL,
        "simd" => Features::SIMD,
        "relaxed_simd" => Features::RELAXED_SIMD,
        "threads" => Features::THREADS,
        "gc" => Features::GC,
        "function_references" => Features::FUNCTION_REFERENCES,
        "wide_arithmetic" => Features::WIDE_ARITHMETIC,
        "stack_switching" => Features::STACK_SWITCHING,
        "bulk_memory" => Features::BULK_MEMORY,
        "reference_types" => Features::REFERENCE_TYPES,
        "sign_extension" => Features::SIGN_EXTENSION,
        "saturating_float_to_int" => Features::SATURATING_FLOAT_TO_INT,
        _ => Features::OTHER,
    };
    // Operators whose immediates reach a second memory.
    let memarg = match op {
        Operator::MemoryCopy { dst_mem, src_mem } if *dst_mem != 0 || *src_mem != 0 => true,
        Operator::MemoryInit { mem, .. }
        | Operator::MemoryFill { mem }
        | Operator::MemorySize { mem }
        | Operator::MemoryGrow { mem }
            if *mem != 0 =>
        {
            true
        }
        _ => memarg_memory(op).is_some_and(|m| m != 0),
    };
    if memarg {
        f.insert(Features::MULTI_MEMORY);
    }
    if let Operator::Block { blockty }
    | Operator::Loop { blockty }
    | Operator::If { blockty }
    | Operator::Try { blockty }
    | Operator::TryTable {
        try_table: wasmparser::TryTable { ty: blockty, .. },
    } = op
    {
        match blockty {
            wasmparser::BlockType::FuncType(_) => f.insert(Features::MULTI_VALUE),
            wasmparser::BlockType::Type(t) => f.insert(val_type_features(*t)),
            wasmparser::BlockType::Empty => {}
        }
    }
    match op {
        Operator::TypedSelect { ty } => f.insert(val_type_features(*ty)),
        Operator::TypedSelectMulti { tys } => {
            for ty in tys {
                f.insert(val_type_features(*ty));
            }
        }
        _ => {}
    }
    if let Operator::RefNull { hty } = op {
        f.insert(val_type_features(wasmparser::ValType::Ref(
            wasmparser::RefType::new(true, *hty).unwrap_or(wasmparser::RefType::FUNCREF),
        )));
    }
    f
}

/// Wraps an operator immediate so that method resolution can tell a `MemArg` from anything else.
struct Probe<'a, T>(&'a T);

/// Chosen for `MemArg` immediates.
trait MemArgProbe {
    fn memory(&self) -> Option<u32>;
}
impl MemArgProbe for Probe<'_, wasmparser::MemArg> {
    fn memory(&self) -> Option<u32> {
        match self.0.target {
            wasmparser::MemArgTarget::Memory(m) => Some(m),
            wasmparser::MemArgTarget::Array(_) => None,
        }
    }
}

/// Chosen for every other immediate.
trait OtherProbe {
    fn memory(&self) -> Option<u32> {
        None
    }
}
impl<T> OtherProbe for &Probe<'_, T> {}

macro_rules! define_memory_of {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        /// The memory index of a load, store or atomic operator's memory immediate.
        #[allow(unused_variables, reason = "every immediate is bound, only memory immediates are read")]
        fn memarg_memory(op: &Operator) -> Option<u32> {
            match op {
                $( Operator::$op { $($($arg),*)? } => {
                    let found: Option<u32> = None;
                    $($( let found = found.or((&Probe($arg)).memory()); )*)?
                    found
                } )*
                #[allow(unreachable_patterns, reason = "future operators of a non-exhaustive enum")]
                _ => None,
            }
        }
    };
}
wasmparser::for_each_operator!(define_memory_of);

#[cfg(test)]
mod tests {
    use super::*;

    fn info(wat: &str) -> ModuleInfo {
        ModuleInfo::parse(&wat::parse_str(wat).unwrap()).unwrap()
    }

    #[test]
    fn detects_exceptions_memory64_and_tail_calls() {
        let m = info(
            r#"(module
                (tag $e (export "e") (param i32))
                (memory i64 1)
                (func (export "f") (param i32) (result i32)
                  (block $h (result i32)
                    (try_table (catch $e $h) (throw $e (local.get 0))))
                  )
                (func (export "g") (return_call 0 (i32.const 1))))"#,
        );
        assert!(m.features.contains(Features::EXCEPTIONS));
        assert!(m.features.contains(Features::MEMORY64));
        assert!(m.features.contains(Features::TAIL_CALL));
        assert!(!m.features.contains(Features::SIMD));
        assert_eq!(m.export_name(ItemKind::Tag, 0), Some("e"));
        assert_eq!(m.tag_sig(0).unwrap().params, vec![Some(ValType::I32)]);
        assert_eq!(m.exported_funcs().count(), 2);
    }

    #[test]
    fn plain_modules_use_no_proposals_beyond_core() {
        let m = info(
            r#"(module (memory 1) (global (mut i32) (i32.const 0))
                 (func (export "f") (result i32) (i32.load offset=4 (i32.const 0))))"#,
        );
        assert!(Features::CORE.contains(m.features), "{}", m.features);
    }

    #[test]
    fn detects_second_memory_use_and_simd() {
        let m = info(
            r#"(module (memory 1) (memory 1)
                 (func (result i32) (i32.load 1 (i32.const 0)))
                 (func (result v128) (v128.const i64x2 0 0)))"#,
        );
        assert!(m.features.contains(Features::MULTI_MEMORY));
        assert!(m.features.contains(Features::SIMD));
    }

    /// Whether the module uses `feature` by [`ModuleInfo::parse`].
    fn has(wasm: &[u8], feature: Features) -> bool {
        ModuleInfo::parse(wasm).unwrap().features.contains(feature)
    }

    /// Whether wasmparser validates the module under `features`.
    fn validates(wasm: &[u8], features: wasmparser::WasmFeatures) -> bool {
        wasmparser::Validator::new_with_features(features)
            .validate_all(wasm)
            .is_ok()
    }

    #[test]
    fn gc_types_are_exactly_what_wasmparser_gates() {
        // The flag says whether wasmparser, with its `gc_types` switch off, rejects the module.
        let without = crate::rejection::COMPLETE.difference(wasmparser::WasmFeatures::GC_TYPES);
        let gc_types = |wat: &str| {
            let bytes = wat::parse_str(wat).unwrap();
            let flagged = has(&bytes, Features::GC_TYPES);
            assert_eq!(flagged, !validates(&bytes, without), "{wat}");
            flagged
        };
        // `externref` wherever a value type can stand.
        for m in [
            "(module (func (param externref)))",
            "(module (func (result externref) (ref.null extern)))",
            "(module (func (local externref)))",
            "(module (global externref (ref.null extern)))",
            "(module (table 1 externref))",
            "(module (import \"m\" \"t\" (table 1 externref)))",
            "(module (func (result i32) (block (result externref) (unreachable)) (drop) (i32.const 0)))",
            "(module (func (drop (select (result externref) (unreachable)))))",
            "(module (func (drop (ref.null extern))))",
            "(module (elem externref (ref.null extern)))",
            // Bottom types and GC definitions are gated too.
            "(module (func (drop (ref.null nofunc))))",
            "(module (type (struct)))",
        ] {
            assert!(gc_types(m), "{m}");
        }
        // `funcref` and `exnref` are not.
        for m in [
            "(module (table 1 funcref) (func (param funcref) (result funcref) (local.get 0)))",
            "(module (func (result i32) (block (result funcref) (ref.null func)) (drop) (i32.const 0)))",
            "(module (func (param exnref)))",
        ] {
            assert!(!gc_types(m), "{m}");
        }
        let m = info("(module (func (param externref)))");
        assert_eq!(m.features, Features::REFERENCE_TYPES | Features::GC_TYPES);
        let m = info("(module (func (param exnref)))");
        assert_eq!(m.features, Features::EXCEPTIONS);
    }

    #[test]
    fn const_global_get_is_a_read_of_a_defined_global() {
        // For a valid module, the flag says whether wasmparser without GC rejects it.
        let complete = crate::rejection::COMPLETE;
        let without = complete.difference(wasmparser::WasmFeatures::GC);
        let flag = |wat: &str| {
            let bytes = wat::parse_str(wat).unwrap();
            let flagged = has(&bytes, Features::CONST_GLOBAL_GET);
            if validates(&bytes, complete) {
                assert_eq!(flagged, !validates(&bytes, without), "{wat}");
            }
            flagged
        };
        for m in [
            "(module (global i32 (i32.const 0)) (global i32 (global.get 0)))",
            "(module (global (import \"m\" \"g\") i32) (global i32 (i32.const 0)) (global i32 (global.get 1)))",
            "(module (global i32 (i32.const 0)) (memory 1) (data (global.get 0) \"\"))",
            "(module (global i32 (i32.const 0)) (table 1 funcref) (elem (global.get 0) func))",
            "(module (global funcref (ref.null func)) (elem funcref (global.get 0)))",
        ] {
            assert!(flag(m), "{m}");
        }
        for m in [
            // An imported global is MVP.
            "(module (global (import \"m\" \"g\") i32) (global i32 (global.get 0)))",
            "(module (global (import \"m\" \"g\") i32) (memory 1) (data (global.get 0) \"\"))",
            // No global at all, or a later one: invalid whatever the engine supports.
            "(module (global i32 (global.get 0)))",
            "(module (global i32 (global.get 1)) (global i32 (i32.const 0)))",
            // Outside a constant expression.
            "(module (global i32 (i32.const 0)) (func (result i32) (global.get 0)))",
        ] {
            assert!(!flag(m), "{m}");
        }
        let m = info("(module (global i32 (i32.const 0)) (global i32 (global.get 0)))");
        assert_eq!(m.features, Features::CONST_GLOBAL_GET);
    }

    #[test]
    fn truncated_input_is_malformed() {
        let bytes = wat::parse_str("(module (func (export \"f\")))").unwrap();
        assert!(matches!(
            ModuleInfo::parse(&bytes[..bytes.len() - 3]),
            Err(ModuleError::Malformed(_))
        ));
    }
}
