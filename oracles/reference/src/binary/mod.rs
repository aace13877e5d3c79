//! Binary format (spec chapter 5) and validation (chapter 3): wasmparser decodes and validates;
//! this module turns its view into the [`crate::syntax`] tree and rejects out-of-scope proposals.
//!
//! The order of verdicts follows the spec: a module that does not decode is malformed whatever
//! else is wrong with it; a module that decodes but does not validate is invalid; only a valid
//! module that uses a proposal outside the reference's scope is unsupported.

mod code;

use crate::error::DecodeError;
use crate::syntax::{
    ConstExpr, ConstInstr, Data, DataMode, Elem, ElemMode, Export, ExternKind, Func, FuncType,
    Global, GlobalType, Import, ImportDesc, IndexType, Limits, MemType, Module, RefType, TableType,
    ValType,
};
use std::sync::Arc;
use wasmparser::{
    FuncValidator, FuncValidatorAllocations, Operator, Parser, Payload, ValidPayload, Validator,
    ValidatorResources, WasmFeatures,
};

/// The proposals whose validation rules the reference applies: WebAssembly 3.0 without SIMD,
/// relaxed SIMD and threads. 3.0's rules include GC and typed function references, which relax
/// a few rules for in-scope constructs that the 3.0 test suite relies on (`global.get` of an
/// earlier defined global in a constant expression); the decoder rejects by name every type and
/// instruction of those proposals, so a module the reference runs uses only its scope.
pub const SCOPE: WasmFeatures = WasmFeatures::WASM3
    .difference(WasmFeatures::SIMD)
    .difference(WasmFeatures::RELAXED_SIMD)
    .difference(WasmFeatures::THREADS);

/// The proposals the reference recognizes in order to name them: a module that decodes with
/// these and is invalid in [`SCOPE`] but valid here is [`DecodeError::Unsupported`]. Proposals that
/// give a meaning to bytes the spec calls malformed (shared-everything threads) or make valid
/// what the spec's tests call invalid (stack switching: tags with results) are left out, so
/// that such modules stay malformed or invalid.
pub const RECOGNIZED: WasmFeatures = WasmFeatures::WASM3
    .union(WasmFeatures::LEGACY_EXCEPTIONS)
    .union(WasmFeatures::WIDE_ARITHMETIC)
    .union(WasmFeatures::CUSTOM_PAGE_SIZES);

/// The most locals a function may declare (wasmparser's implementation limit); bounds the
/// decoder's allocation before validation has run.
const MAX_LOCALS: u64 = 50_000;

/// Decodes and validates a binary module.
///
/// One pass decodes and validates (with [`SCOPE`]); the first validation error is kept while
/// decoding goes on, so that a decoding error anywhere still makes the module malformed.
pub fn decode(bytes: &[u8]) -> Result<Module, DecodeError> {
    let mut decoder = Decoder::new();
    let decoded = decoder.module(bytes);
    if let Err(Problem::Malformed(m)) = decoded {
        return Err(DecodeError::Malformed(m));
    }
    if let Some(message) = decoder.invalid.take() {
        let error = classify_validation_error(&message);
        let recognized = Validator::new_with_features(RECOGNIZED)
            .validate_all(bytes)
            .is_ok();
        return Err(match decoder.unsupported {
            Some((proposal, what)) if recognized && !matches!(error, DecodeError::Malformed(_)) => {
                DecodeError::Unsupported { proposal, what }
            }
            _ => error,
        });
    }
    match decoded {
        Ok(()) => {}
        Err(Problem::Malformed(_)) => unreachable!("returned above"),
        Err(Problem::Inconsistent(m)) => {
            panic!("reference decoder bug: wasmparser validated a module the decoder rejects: {m}")
        }
    }
    if let Some((proposal, what)) = decoder.unsupported {
        return Err(DecodeError::Unsupported { proposal, what });
    }
    Ok(decoder.module)
}

/// wasmparser reports a few errors from its validator that the spec classifies as decoding
/// errors (the binary grammar cannot produce them).
fn classify_validation_error(message: &str) -> DecodeError {
    const MALFORMED: &[&str] = &[
        "inconsistent lengths",
        "data count section required",
        "section out of order",
        "too many locals",
        "unexpected end",
        "malformed",
        "integer too large",
        "integer representation too long",
        "END opcode expected",
        "unexpected content after last section",
        "section size mismatch",
        // The spec's binary format has no shared flag on globals: another mutability byte.
        "shared globals require the shared-everything-threads proposal",
    ];
    if MALFORMED.iter().any(|m| message.contains(m)) {
        DecodeError::Malformed(message.to_string())
    } else {
        DecodeError::Invalid(message.to_string())
    }
}

/// Why decoding stopped.
#[derive(Debug)]
pub(crate) enum Problem {
    /// The bytes do not decode.
    Malformed(String),
    /// The module decodes but does not make sense; the validator says why.
    Inconsistent(String),
}

impl From<wasmparser::BinaryReaderError> for Problem {
    fn from(e: wasmparser::BinaryReaderError) -> Problem {
        Problem::Malformed(e.message().to_string())
    }
}

/// Decoding state: the module so far, the validator, the first validation error and the first
/// out-of-scope construct found.
pub(crate) struct Decoder {
    /// The validator, until it reports an error.
    validator: Option<Validator>,
    /// The first validation error.
    invalid: Option<String>,
    /// Reused by every function's validator.
    allocs: FuncValidatorAllocations,
    pub(crate) module: Module,
    /// The type index of every defined function, from the function section.
    func_decls: Vec<u32>,
    /// How many code entries were decoded.
    bodies: usize,
    pub(crate) unsupported: Option<(&'static str, String)>,
}

impl Decoder {
    fn new() -> Decoder {
        Decoder {
            validator: Some(Validator::new_with_features(SCOPE)),
            invalid: None,
            allocs: FuncValidatorAllocations::default(),
            module: Module::default(),
            func_decls: Vec::new(),
            bodies: 0,
            unsupported: None,
        }
    }

    /// Records the first validation error; validation stops there.
    pub(crate) fn invalid(&mut self, e: wasmparser::BinaryReaderError) {
        if self.invalid.is_none() {
            self.invalid = Some(e.message().to_string());
        }
        self.validator = None;
    }

    /// Validates a payload, returning the validator of a function body.
    fn validate(&mut self, payload: &Payload) -> Option<FuncValidator<ValidatorResources>> {
        let result = self.validator.as_mut()?.payload(payload);
        match result {
            Ok(ValidPayload::Func(f, _)) => {
                Some(f.into_validator(std::mem::take(&mut self.allocs)))
            }
            Ok(_) => None,
            Err(e) => {
                self.invalid(e);
                None
            }
        }
    }

    /// Records that the module needs `proposal`; decoding goes on with a placeholder so that a
    /// later decoding error still makes the module malformed.
    pub(crate) fn unsupported(&mut self, proposal: &'static str, what: impl FnOnce() -> String) {
        if self.unsupported.is_none() {
            self.unsupported = Some((proposal, what()));
        }
    }

    fn module(&mut self, bytes: &[u8]) -> Result<(), Problem> {
        let mut parser = Parser::new(0);
        parser.set_features(RECOGNIZED);
        for payload in parser.parse_all(bytes) {
            let payload = payload?;
            let func_validator = self.validate(&payload);
            match payload {
                Payload::Version { encoding, .. } => {
                    if encoding != wasmparser::Encoding::Module {
                        return Err(Problem::Malformed("not a core module".into()));
                    }
                }
                Payload::TypeSection(r) => {
                    for group in r {
                        let group = group?;
                        if group.is_explicit_rec_group() {
                            self.unsupported("gc", || "a recursion group".into());
                        }
                        for sub in group.into_types() {
                            let ty = self.sub_type(sub);
                            self.module.types.push(ty);
                        }
                    }
                }
                Payload::ImportSection(r) => {
                    for import in r.into_imports() {
                        let import = import?;
                        let desc = match import.ty {
                            wasmparser::TypeRef::Func(t) => ImportDesc::Func(t),
                            wasmparser::TypeRef::FuncExact(t) => {
                                self.unsupported("custom-descriptors", || {
                                    "an exact function import".into()
                                });
                                ImportDesc::Func(t)
                            }
                            wasmparser::TypeRef::Table(t) => ImportDesc::Table(self.table_type(&t)),
                            wasmparser::TypeRef::Memory(m) => ImportDesc::Memory(self.mem_type(&m)),
                            wasmparser::TypeRef::Global(g) => {
                                ImportDesc::Global(self.global_type(&g))
                            }
                            wasmparser::TypeRef::Tag(t) => ImportDesc::Tag(t.func_type_idx),
                        };
                        self.module.imports.push(Import {
                            module: import.module.to_string(),
                            name: import.name.to_string(),
                            desc,
                        });
                    }
                }
                Payload::FunctionSection(r) => {
                    for t in r {
                        self.func_decls.push(t?);
                    }
                }
                Payload::TableSection(r) => {
                    for t in r {
                        let t = t?;
                        let ty = self.table_type(&t.ty);
                        if let wasmparser::TableInit::Expr(_) = t.init {
                            self.unsupported("function-references", || {
                                "a table with an initializer expression".into()
                            });
                        }
                        self.module.tables.push(ty);
                    }
                }
                Payload::MemorySection(r) => {
                    for m in r {
                        let ty = self.mem_type(&m?);
                        self.module.mems.push(ty);
                    }
                }
                Payload::TagSection(r) => {
                    for t in r {
                        self.module.tags.push(t?.func_type_idx);
                    }
                }
                Payload::GlobalSection(r) => {
                    for g in r {
                        let g = g?;
                        let ty = self.global_type(&g.ty);
                        let init = self.const_expr(&g.init_expr)?;
                        self.module.globals.push(Global { ty, init });
                    }
                }
                Payload::ExportSection(r) => {
                    for e in r {
                        let e = e?;
                        let kind = match e.kind {
                            wasmparser::ExternalKind::Func => ExternKind::Func,
                            wasmparser::ExternalKind::FuncExact => {
                                self.unsupported("custom-descriptors", || {
                                    "an exact function export".into()
                                });
                                ExternKind::Func
                            }
                            wasmparser::ExternalKind::Table => ExternKind::Table,
                            wasmparser::ExternalKind::Memory => ExternKind::Memory,
                            wasmparser::ExternalKind::Global => ExternKind::Global,
                            wasmparser::ExternalKind::Tag => ExternKind::Tag,
                        };
                        self.module.exports.push(Export {
                            name: e.name.to_string(),
                            kind,
                            index: e.index,
                        });
                    }
                }
                Payload::StartSection { func, .. } => self.module.start = Some(func),
                Payload::ElementSection(r) => {
                    for e in r {
                        let e = e?;
                        let elem = self.elem(e)?;
                        self.module.elems.push(elem);
                    }
                }
                Payload::DataSection(r) => {
                    for d in r {
                        let d = d?;
                        let mode = match &d.kind {
                            wasmparser::DataKind::Passive => DataMode::Passive,
                            wasmparser::DataKind::Active {
                                memory_index,
                                offset_expr,
                            } => DataMode::Active {
                                mem: *memory_index,
                                offset: self.const_expr(offset_expr)?,
                            },
                        };
                        self.module.datas.push(Data {
                            init: Arc::from(d.data),
                            mode,
                        });
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let Some(&ty) = self.func_decls.get(self.bodies) else {
                        return Err(Problem::Inconsistent(
                            "more function bodies than declared functions".into(),
                        ));
                    };
                    self.bodies += 1;
                    let func = self.func(ty, &body, func_validator)?;
                    self.module.funcs.push(func);
                }
                Payload::DataCountSection { .. }
                | Payload::CodeSectionStart { .. }
                | Payload::CustomSection(_)
                | Payload::End(_) => {}
                other => {
                    return Err(Problem::Malformed(format!(
                        "unexpected section in a core module: {:?}",
                        other.as_section().map(|(id, _)| id)
                    )));
                }
            }
        }
        if self.bodies != self.func_decls.len() {
            return Err(Problem::Inconsistent(
                "function and code section have inconsistent lengths".into(),
            ));
        }
        Ok(())
    }

    fn sub_type(&mut self, sub: wasmparser::SubType) -> FuncType {
        if !sub.is_final || !sub.supertype_idxs.is_empty() {
            self.unsupported("gc", || "a subtype declaration".into());
        }
        if sub.composite_type.shared {
            self.unsupported("shared-everything-threads", || "a shared type".into());
        }
        if sub.composite_type.descriptor_idx.is_some() || sub.composite_type.describes_idx.is_some()
        {
            self.unsupported("custom-descriptors", || "a type descriptor".into());
        }
        match &sub.composite_type.inner {
            wasmparser::CompositeInnerType::Func(f) => FuncType {
                params: f.params().iter().map(|t| self.val_type(*t)).collect(),
                results: f.results().iter().map(|t| self.val_type(*t)).collect(),
            },
            wasmparser::CompositeInnerType::Cont(_) => {
                self.unsupported("stack-switching", || "a continuation type".into());
                FuncType::default()
            }
            wasmparser::CompositeInnerType::Array(_)
            | wasmparser::CompositeInnerType::Struct(_) => {
                self.unsupported("gc", || "a struct or array type".into());
                FuncType::default()
            }
        }
    }

    /// Converts a value type, recording the proposal of an out-of-scope one (which becomes
    /// `i32` in the never-run module).
    pub(crate) fn val_type(&mut self, ty: wasmparser::ValType) -> ValType {
        match ty {
            wasmparser::ValType::I32 => ValType::I32,
            wasmparser::ValType::I64 => ValType::I64,
            wasmparser::ValType::F32 => ValType::F32,
            wasmparser::ValType::F64 => ValType::F64,
            wasmparser::ValType::V128 => {
                self.unsupported("simd", || "the v128 type".into());
                ValType::I32
            }
            wasmparser::ValType::Ref(r) => ValType::Ref(self.ref_type(r)),
        }
    }

    /// Converts a reference type: only `funcref`, `externref` and `exnref` are in scope.
    pub(crate) fn ref_type(&mut self, r: wasmparser::RefType) -> RefType {
        match self.heap_type(r.heap_type()) {
            Some(t) if r.is_nullable() => t,
            Some(t) => {
                self.unsupported("function-references", || {
                    format!("the non-nullable reference type {r}")
                });
                t
            }
            None => RefType::Func,
        }
    }

    /// Converts a heap type, `None` (recorded as unsupported) when out of scope.
    pub(crate) fn heap_type(&mut self, h: wasmparser::HeapType) -> Option<RefType> {
        use wasmparser::AbstractHeapType as A;
        match h {
            wasmparser::HeapType::Abstract { shared: true, .. } => {
                self.unsupported("shared-everything-threads", || "a shared reference".into());
                None
            }
            wasmparser::HeapType::Abstract { ty, .. } => match ty {
                A::Func => Some(RefType::Func),
                A::Extern => Some(RefType::Extern),
                A::Exn => Some(RefType::Exn),
                A::Cont | A::NoCont => {
                    self.unsupported("stack-switching", || "a continuation reference".into());
                    None
                }
                other => {
                    self.unsupported("gc", || format!("the heap type {other:?}"));
                    None
                }
            },
            wasmparser::HeapType::Concrete(_) => {
                self.unsupported("function-references", || "a typed reference".into());
                None
            }
            wasmparser::HeapType::Exact(_) => {
                self.unsupported("custom-descriptors", || "an exact reference".into());
                None
            }
        }
    }

    fn limits(initial: u64, maximum: Option<u64>) -> Limits {
        Limits {
            min: initial,
            max: maximum,
        }
    }

    fn table_type(&mut self, t: &wasmparser::TableType) -> TableType {
        if t.shared {
            self.unsupported("shared-everything-threads", || "a shared table".into());
        }
        TableType {
            index: if t.table64 {
                IndexType::I64
            } else {
                IndexType::I32
            },
            limits: Self::limits(t.initial, t.maximum),
            elem: self.ref_type(t.element_type),
        }
    }

    fn mem_type(&mut self, m: &wasmparser::MemoryType) -> MemType {
        if m.shared {
            self.unsupported("threads", || "a shared memory".into());
        }
        if m.page_size_log2.is_some() {
            self.unsupported("custom-page-sizes", || "a custom page size".into());
        }
        MemType {
            index: if m.memory64 {
                IndexType::I64
            } else {
                IndexType::I32
            },
            limits: Self::limits(m.initial, m.maximum),
        }
    }

    fn global_type(&mut self, g: &wasmparser::GlobalType) -> GlobalType {
        if g.shared {
            self.unsupported("shared-everything-threads", || "a shared global".into());
        }
        GlobalType {
            ty: self.val_type(g.content_type),
            mutable: g.mutable,
        }
    }

    fn elem(&mut self, e: wasmparser::Element) -> Result<Elem, Problem> {
        let mode = match &e.kind {
            wasmparser::ElementKind::Passive => ElemMode::Passive,
            wasmparser::ElementKind::Declared => ElemMode::Declarative,
            wasmparser::ElementKind::Active {
                table_index,
                offset_expr,
            } => ElemMode::Active {
                table: table_index.unwrap_or(0),
                offset: self.const_expr(offset_expr)?,
            },
        };
        let (ty, init) = match e.items {
            wasmparser::ElementItems::Functions(r) => {
                let mut init = Vec::new();
                for f in r {
                    init.push(ConstExpr(Box::new([ConstInstr::RefFunc(f?)])));
                }
                (RefType::Func, init)
            }
            wasmparser::ElementItems::Expressions(ty, r) => {
                let ty = self.ref_type(ty);
                let mut init = Vec::new();
                for expr in r {
                    init.push(self.const_expr(&expr?)?);
                }
                (ty, init)
            }
        };
        Ok(Elem {
            ty,
            init: init.into_boxed_slice(),
            mode,
        })
    }

    /// Decodes a constant expression (spec 3.3.10 lists the allowed instructions).
    fn const_expr(&mut self, expr: &wasmparser::ConstExpr) -> Result<ConstExpr, Problem> {
        let mut reader = expr.get_operators_reader();
        let mut out = Vec::new();
        loop {
            let op = reader.read()?;
            out.push(match op {
                Operator::End => break,
                Operator::I32Const { value } => ConstInstr::I32Const(value),
                Operator::I64Const { value } => ConstInstr::I64Const(value),
                Operator::F32Const { value } => ConstInstr::F32Const(value.bits()),
                Operator::F64Const { value } => ConstInstr::F64Const(value.bits()),
                Operator::RefNull { hty } => {
                    ConstInstr::RefNull(self.heap_type(hty).unwrap_or(RefType::Func))
                }
                Operator::RefFunc { function_index } => ConstInstr::RefFunc(function_index),
                Operator::GlobalGet { global_index } => ConstInstr::GlobalGet(global_index),
                Operator::I32Add => ConstInstr::I32Add,
                Operator::I32Sub => ConstInstr::I32Sub,
                Operator::I32Mul => ConstInstr::I32Mul,
                Operator::I64Add => ConstInstr::I64Add,
                Operator::I64Sub => ConstInstr::I64Sub,
                Operator::I64Mul => ConstInstr::I64Mul,
                other => {
                    let proposal = code::proposal_of(&other);
                    if matches!(
                        proposal,
                        "mvp" | "exceptions" | "reference-types" | "bulk-memory"
                    ) {
                        return Err(Problem::Inconsistent(format!(
                            "{other:?} in a constant expression"
                        )));
                    }
                    self.unsupported(proposal, || format!("{other:?} in a constant expression"));
                    ConstInstr::I32Const(0)
                }
            });
        }
        Ok(ConstExpr(out.into_boxed_slice()))
    }

    fn func(
        &mut self,
        ty: u32,
        body: &wasmparser::FunctionBody,
        mut validator: Option<FuncValidator<ValidatorResources>>,
    ) -> Result<Func, Problem> {
        let Some(fty) = self.module.types.get(ty as usize) else {
            return Err(Problem::Inconsistent(format!(
                "function of unknown type {ty}"
            )));
        };
        let (params, results) = (fty.params.len() as u32, fty.results.len() as u32);
        let mut locals = Vec::new();
        let mut total: u64 = 0;
        let mut reader = body.get_locals_reader()?;
        for _ in 0..reader.get_count() {
            let offset = reader.original_position();
            let (count, t) = reader.read()?;
            if let Some(v) = &mut validator
                && let Err(e) = v.define_locals(offset, count, t)
            {
                self.invalid(e);
                validator = None;
            }
            total += u64::from(count);
            if total > MAX_LOCALS {
                if validator.is_some() {
                    return Err(Problem::Inconsistent("too many locals".into()));
                }
                // The validator has said why; keep decoding for malformedness only.
                return code::translate(self, body.get_operators_reader()?, None).map(|_| Func {
                    ty,
                    params,
                    results,
                    locals: Box::new([]),
                    body: Box::new([]),
                    br_tables: Box::new([]),
                    catch_tables: Box::new([]),
                    max_stack: 0,
                });
            }
            let t = self.val_type(t);
            locals.extend(std::iter::repeat_n(t, count as usize));
        }
        let code = code::translate(self, body.get_operators_reader()?, validator)?;
        Ok(Func {
            ty,
            params,
            results,
            locals: locals.into_boxed_slice(),
            body: code.body,
            br_tables: code.br_tables,
            catch_tables: code.catch_tables,
            max_stack: code.max_stack,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{BlockType, Instr};

    fn wat(text: &str) -> Vec<u8> {
        wat::parse_str(text).expect("test module parses")
    }

    #[test]
    fn blocks_keep_their_bodies_in_preorder() {
        let m = decode(&wat(r#"(module (func (param i32) (result i32)
                 (block (result i32)
                   (if (result i32) (local.get 0)
                     (then (i32.const 1))
                     (else (loop (result i32) (br_if 0 (i32.const 0)) (i32.const 2)))))))"#))
        .unwrap();
        let body = &m.funcs[0].body;
        let one = BlockType {
            params: 0,
            results: 1,
        };
        assert_eq!(
            &body[..],
            &[
                Instr::Block { ty: one, len: 11 },
                Instr::LocalGet(0),
                Instr::If {
                    ty: one,
                    then_len: 2,
                    len: 8
                },
                Instr::I32Const(1),
                Instr::Else,
                Instr::Loop { ty: one, len: 4 },
                Instr::I32Const(0),
                Instr::BrIf(0),
                Instr::I32Const(2),
                Instr::End,
                Instr::End,
                Instr::End,
                Instr::Return,
            ]
        );
    }

    #[test]
    fn try_tables_record_catch_clauses_with_labels_as_written() {
        let m = decode(&wat(r#"(module (tag $e (param i32)) (tag $f)
                 (func (result i32)
                   (block $outer (result i32)
                     (block $h (result exnref)
                       (try_table (catch $e $outer) (catch_ref $f $h) (catch_all_ref $h)
                         (throw $f))
                       (unreachable))
                     (drop) (i32.const 0))))"#))
        .unwrap();
        let f = &m.funcs[0];
        assert!(matches!(
            f.body[2],
            Instr::TryTable {
                catches: 0,
                len: 2,
                ..
            }
        ));
        assert_eq!(f.body[3], Instr::Throw(1));
        assert_eq!(f.body[4], Instr::End);
        assert_eq!(f.body[5], Instr::EndHandler);
        use crate::syntax::{Catch, CatchKind};
        assert_eq!(
            &f.catch_tables[0][..],
            &[
                Catch {
                    kind: CatchKind::Catch,
                    tag: 0,
                    label: 1
                },
                Catch {
                    kind: CatchKind::CatchRef,
                    tag: 1,
                    label: 0
                },
                Catch {
                    kind: CatchKind::CatchAllRef,
                    tag: 0,
                    label: 0
                },
            ]
        );
    }

    #[test]
    fn numeric_operators_map_one_to_one() {
        let m = decode(&wat(
            r#"(module (func (result i64) (i64.extend_i32_s (i32.add (i32.const 1) (i32.const 2)))))"#,
        ))
        .unwrap();
        assert_eq!(m.funcs[0].body[2], Instr::I32Add);
        assert_eq!(m.funcs[0].body[3], Instr::I64ExtendI32S);
    }

    #[test]
    fn out_of_scope_proposals_are_named() {
        let cases = [
            (
                "(module (func (result v128) (v128.const i64x2 0 0)))",
                "simd",
            ),
            (
                "(module (type $t (struct)) (func (result anyref) (ref.null any)))",
                "gc",
            ),
            ("(module (memory 1 1 shared))", "threads"),
            (
                "(module (type $t (func)) (func (param (ref null $t)) (call_ref $t (local.get 0))))",
                "function-references",
            ),
            (
                "(module (tag $e) (func try catch $e end))",
                "legacy-exceptions",
            ),
            (
                "(module (func (param i64 i64 i64 i64) (result i64 i64) (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3))))",
                "wide-arithmetic",
            ),
            ("(module (memory 1 (pagesize 1)))", "custom-page-sizes"),
        ];
        for (text, proposal) in cases {
            match decode(&wat(text)) {
                Err(DecodeError::Unsupported { proposal: p, .. }) => {
                    assert_eq!(p, proposal, "{text}")
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn malformed_before_invalid_before_unsupported() {
        assert!(matches!(
            decode(b"\0asm\x01\0\0"),
            Err(DecodeError::Malformed(_))
        ));
        assert!(matches!(
            decode(&wat("(module (func (result i32)))")),
            Err(DecodeError::Invalid(_))
        ));
        // Invalid and out of scope: invalid wins.
        assert!(matches!(
            decode(&wat("(module (func (result i32) (v128.const i64x2 0 0)))")),
            Err(DecodeError::Invalid(_))
        ));
    }

    #[test]
    fn in_scope_proposals_decode() {
        decode(&wat(r#"(module
                 (memory i64 1) (memory 1) (table i64 2 funcref)
                 (tag $e (param i64))
                 (global $g i64 (i64.add (i64.const 1) (i64.const 2)))
                 (func $f (param i64) (result i64)
                   (i64.load offset=8 (local.get 0))
                   (drop)
                   (i32.load 1 (i32.const 0))
                   (drop)
                   (return_call $f (local.get 0)))
                 (func (result exnref) (ref.null exn)))"#))
        .unwrap();
    }
}
