//! The rewrite driver of mutant engines: a module's function bodies rewritten operator by operator, with fresh locals, appended types, and synthetic blocks around original ones whose branch depths are kept right.

use std::convert::Infallible;
use wasm_encoder::reencode::{Error as ReencodeError, Reencode, RoundtripReencoder, utils};
use wasm_encoder::{BlockType, Encode, Instruction};
use wasmparser::{FuncType, MemoryType, Operator, Parser, Payload, TypeRef, ValType};

/// Why a module (or one function) is left as it is: the rewrite does not handle something in it.
/// The mutant then simply does not fire there.
#[derive(Debug)]
pub struct Skip;

impl<E> From<ReencodeError<E>> for Skip {
    fn from(_: ReencodeError<E>) -> Skip {
        Skip
    }
}

impl From<wasmparser::BinaryReaderError> for Skip {
    fn from(_: wasmparser::BinaryReaderError) -> Skip {
        Skip
    }
}

/// What the rewrite knows about the module: its index spaces.
pub struct Shape {
    /// Every type, `None` for types that are not function types.
    pub types: Vec<Option<FuncType>>,
    /// The type of every function, imports first.
    pub funcs: Vec<u32>,
    /// How many functions are imported.
    pub imported_funcs: u32,
    /// The type of every tag, imports first.
    pub tags: Vec<u32>,
    /// Every memory, imports first.
    pub memories: Vec<MemoryType>,
    /// Every table, imports first.
    pub tables: Vec<wasmparser::TableType>,
    /// The value type of every global, imports first.
    pub globals: Vec<ValType>,
    /// The tags of every `catch` and `catch_ref` clause in the module's code.
    pub catch_tags: Vec<u32>,
}

impl Shape {
    /// A function type by index.
    pub fn func_type(&self, index: u32) -> Option<&FuncType> {
        self.types.get(index as usize)?.as_ref()
    }

    /// The parameter types of tag `tag`.
    pub fn tag_params(&self, tag: u32) -> Option<&[ValType]> {
        let ty = *self.tags.get(tag as usize)?;
        Some(self.func_type(ty)?.params())
    }

    /// Whether memory `memory` is a 64-bit memory.
    pub fn memory64(&self, memory: u32) -> bool {
        self.memories
            .get(memory as usize)
            .is_some_and(|m| m.memory64)
    }
}

/// What kind of construct a control frame is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameKind {
    /// The function body itself.
    Function,
    /// `block`.
    Block,
    /// `loop`.
    Loop,
    /// `if` (and its `else`).
    If,
    /// `try_table`.
    TryTable,
}

/// One original control frame.
pub struct Frame {
    /// What it is.
    pub kind: FrameKind,
    /// Its parameter types.
    pub params: Vec<ValType>,
    /// Its result types.
    pub results: Vec<ValType>,
    /// Set by a rewrite to recognize a frame it treated specially.
    pub mark: bool,
    /// Synthetic frames the rewrite put between this frame and its parent.
    wrappers: u32,
    /// Encoded instructions to emit right after this frame's `end`.
    after_end: Vec<u8>,
}

impl Frame {
    /// The types a branch to this frame carries.
    pub fn label_types(&self) -> &[ValType] {
        if self.kind == FrameKind::Loop {
            &self.params
        } else {
            &self.results
        }
    }
}

/// What the rewrite appends to the module: function types after every original type, and a
/// counter global after every original global.
pub struct TypeAlloc {
    original: u32,
    added: Vec<(Vec<ValType>, Vec<ValType>)>,
    counter: bool,
}

impl TypeAlloc {
    fn index(&mut self, params: &[ValType], results: &[ValType]) -> u32 {
        let key = (params.to_vec(), results.to_vec());
        let at = match self.added.iter().position(|t| *t == key) {
            Some(at) => at,
            None => {
                self.added.push(key);
                self.added.len() - 1
            }
        };
        self.original + at as u32
    }
}

/// One function body being rewritten: the original operators, the output so far, and the
/// original control frames (with the synthetic ones the rewrite added around them).
pub struct Body<'a, 's> {
    /// The module's index spaces.
    pub shape: &'s Shape,
    /// The function's index.
    pub func: u32,
    /// The function's parameter types.
    pub params: Vec<ValType>,
    /// The function's result types.
    pub results: Vec<ValType>,
    /// The original operators, the final `end` included.
    pub ops: Vec<Operator<'a>>,
    /// The original control frames, outermost (the function) first.
    pub frames: Vec<Frame>,
    locals: Vec<(u32, ValType)>,
    declared: u32,
    extra: Vec<ValType>,
    out: Vec<u8>,
    types: &'s mut TypeAlloc,
    changed: bool,
}

/// Converts a wasmparser value type.
pub fn val(t: ValType) -> wasm_encoder::ValType {
    RoundtripReencoder
        .val_type(t)
        .expect("every wasmparser value type converts")
}

impl<'a> Body<'a, '_> {
    /// Emits a synthetic instruction (not one of the original operators).
    pub fn emit(&mut self, instruction: Instruction<'_>) {
        self.changed = true;
        instruction.encode(&mut self.out);
    }

    /// Emits synthetic instructions.
    pub fn emit_all<'i>(&mut self, instructions: impl IntoIterator<Item = Instruction<'i>>) {
        for i in instructions {
            self.emit(i);
        }
    }

    /// A fresh local of type `ty`.
    pub fn local(&mut self, ty: ValType) -> u32 {
        self.extra.push(ty);
        self.params.len() as u32 + self.declared + self.extra.len() as u32 - 1
    }

    /// A block type for `[params] -> [results]`, appending a function type when needed.
    pub fn block_type(&mut self, params: &[ValType], results: &[ValType]) -> BlockType {
        match (params, results) {
            ([], []) => BlockType::Empty,
            ([], [t]) => BlockType::Result(val(*t)),
            _ => BlockType::FunctionType(self.types.index(params, results)),
        }
    }

    /// The parameter and result types of a block type.
    pub fn resolve(&self, ty: wasmparser::BlockType) -> Result<(Vec<ValType>, Vec<ValType>), Skip> {
        Ok(match ty {
            wasmparser::BlockType::Empty => (vec![], vec![]),
            wasmparser::BlockType::Type(t) => (vec![], vec![t]),
            wasmparser::BlockType::FuncType(i) => {
                let f = self.shape.func_type(i).ok_or(Skip)?;
                (f.params().to_vec(), f.results().to_vec())
            }
        })
    }

    /// Whether the operator at the current point is inside a `try_table` of this function.
    pub fn inside_try_table(&self) -> bool {
        self.frames.iter().any(|f| f.kind == FrameKind::TryTable)
    }

    /// The index in `frames` of the innermost `try_table`, if any.
    pub fn innermost_try_table(&self) -> Option<usize> {
        self.frames
            .iter()
            .rposition(|f| f.kind == FrameKind::TryTable)
    }

    /// The frame a branch of relative depth `depth` targets.
    pub fn target(&self, depth: u32) -> Option<&Frame> {
        let top = self.frames.len().checked_sub(1)?;
        self.frames.get(top.checked_sub(depth as usize)?)
    }

    /// The depth, in the rewritten code, of an original branch of relative `depth` taken at
    /// the current point (every synthetic frame it crosses added).
    pub fn remap(&self, depth: u32) -> u32 {
        let top = self.frames.len();
        let crossed = top.saturating_sub(depth as usize)..top;
        depth + self.frames[crossed].iter().map(|f| f.wrappers).sum::<u32>()
    }

    /// The depth, in the rewritten code, of the frame at index `frame` of `frames`, seen from
    /// the current point (inside every open frame).
    pub fn depth_of(&self, frame: usize) -> u32 {
        let original = (self.frames.len() - 1 - frame) as u32;
        self.remap(original)
    }

    /// Emits the original operator at `i` unchanged (branch depths kept right).
    pub fn pass(&mut self, i: usize) -> Result<(), Skip> {
        let op = self.ops[i].clone();
        self.pass_op(op)
    }

    /// Emits an original operator, tracking control frames and remapping branch depths.
    pub fn pass_op(&mut self, op: Operator<'a>) -> Result<(), Skip> {
        match op {
            Operator::Block { blockty } | Operator::Loop { blockty } | Operator::If { blockty } => {
                let kind = match op {
                    Operator::Block { .. } => FrameKind::Block,
                    Operator::Loop { .. } => FrameKind::Loop,
                    _ => FrameKind::If,
                };
                let (params, results) = self.resolve(blockty)?;
                RoundtripReencoder.instruction(op)?.encode(&mut self.out);
                self.frames.push(Frame {
                    kind,
                    params,
                    results,
                    mark: false,
                    wrappers: 0,
                    after_end: vec![],
                });
            }
            Operator::TryTable { try_table } => self.open_try_table(try_table, 0, vec![], None)?,
            Operator::End => {
                let frame = self.frames.pop().ok_or(Skip)?;
                Instruction::End.encode(&mut self.out);
                self.out.extend(frame.after_end);
            }
            Operator::Br { relative_depth } => {
                Instruction::Br(self.remap(relative_depth)).encode(&mut self.out)
            }
            Operator::BrIf { relative_depth } => {
                Instruction::BrIf(self.remap(relative_depth)).encode(&mut self.out)
            }
            Operator::BrOnNull { relative_depth } => {
                Instruction::BrOnNull(self.remap(relative_depth)).encode(&mut self.out)
            }
            Operator::BrOnNonNull { relative_depth } => {
                Instruction::BrOnNonNull(self.remap(relative_depth)).encode(&mut self.out)
            }
            Operator::BrTable { targets } => {
                let mut depths = Vec::new();
                for t in targets.targets() {
                    depths.push(self.remap(t?));
                }
                let default = self.remap(targets.default());
                Instruction::BrTable(depths.into(), default).encode(&mut self.out);
            }
            Operator::BrOnCast { .. }
            | Operator::BrOnCastFail { .. }
            | Operator::Try { .. }
            | Operator::Catch { .. }
            | Operator::CatchAll
            | Operator::Delegate { .. }
            | Operator::Rethrow { .. } => return Err(Skip),
            other => RoundtripReencoder.instruction(other)?.encode(&mut self.out),
        }
        Ok(())
    }

    /// Opens an original `try_table` that the rewrite has put inside `wrappers` synthetic
    /// frames (already emitted), with `after_end` emitted after its `end`. `clauses`, when
    /// given, replaces the clauses (their labels already final); otherwise the original
    /// clauses are kept with their labels remapped.
    pub fn open_try_table(
        &mut self,
        try_table: wasmparser::TryTable,
        wrappers: u32,
        after_end: Vec<u8>,
        clauses: Option<Vec<wasm_encoder::Catch>>,
    ) -> Result<(), Skip> {
        let (params, results) = self.resolve(try_table.ty)?;
        let clauses = match clauses {
            Some(c) => c,
            None => try_table
                .catches
                .iter()
                .map(|c| self.remap_clause(c, wrappers))
                .collect(),
        };
        let ty = RoundtripReencoder.block_type(try_table.ty)?;
        Instruction::TryTable(ty, clauses.into()).encode(&mut self.out);
        self.frames.push(Frame {
            kind: FrameKind::TryTable,
            params,
            results,
            mark: false,
            wrappers,
            after_end,
        });
        Ok(())
    }

    /// A clause of a `try_table` being opened at the current point inside `wrappers` synthetic
    /// frames, with its label remapped.
    pub fn remap_clause(&self, c: &wasmparser::Catch, wrappers: u32) -> wasm_encoder::Catch {
        use wasm_encoder::Catch as C;
        match *c {
            wasmparser::Catch::One { tag, label } => C::One {
                tag,
                label: self.remap(label) + wrappers,
            },
            wasmparser::Catch::OneRef { tag, label } => C::OneRef {
                tag,
                label: self.remap(label) + wrappers,
            },
            wasmparser::Catch::All { label } => C::All {
                label: self.remap(label) + wrappers,
            },
            wasmparser::Catch::AllRef { label } => C::AllRef {
                label: self.remap(label) + wrappers,
            },
        }
    }

    /// Runs `at` over every operator: it returns how many operators it consumed (emitting
    /// whatever it likes), or 0 to have the operator passed through unchanged.
    pub fn each(
        &mut self,
        mut at: impl FnMut(&mut Self, usize) -> Result<usize, Skip>,
    ) -> Result<(), Skip> {
        let mut i = 0;
        while i < self.ops.len() {
            match at(self, i)? {
                0 => {
                    self.pass(i)?;
                    i += 1;
                }
                n => i += n,
            }
        }
        Ok(())
    }

    /// A mutable `i32` global, initially 0, appended to the module for the rewrite's own
    /// bookkeeping (never exported, so never observed).
    pub fn counter_global(&mut self) -> u32 {
        self.types.counter = true;
        self.shape.globals.len() as u32
    }

    /// Puts the whole function body inside a synthetic block (which branches to the
    /// function's label now reach) and emits `epilogue` after it, before the function's own
    /// `end`: code that runs whenever the body completes other than by `return`.
    pub fn wrap_function_body(&mut self, epilogue: Vec<u8>) {
        let results = self.results.clone();
        let ty = self.block_type(&[], &results);
        self.emit(Instruction::Block(ty));
        let mut after = epilogue;
        Instruction::End.encode(&mut after);
        self.frames[0].after_end = after;
    }

    /// Marks the innermost open frame (see [`Frame::mark`]).
    pub fn mark_top(&mut self) {
        if let Some(f) = self.frames.last_mut() {
            f.mark = true;
        }
    }

    /// Marks the function changed (for rewrites that only reorder original operators).
    pub fn mark_changed(&mut self) {
        self.changed = true;
    }

    /// Encodes an instruction into a buffer (for a frame's `after_end`).
    pub fn encoded<'i>(instructions: impl IntoIterator<Item = Instruction<'i>>) -> Vec<u8> {
        let mut out = Vec::new();
        for i in instructions {
            i.encode(&mut out);
        }
        out
    }
}

/// A function-body rewrite: drives [`Body`] over one function.
pub type Rewrite = fn(&mut Body) -> Result<(), Skip>;

/// Rewrites every function body of `wasm` with `rewrite`; `None` when nothing changed or the
/// module cannot be rewritten (then the original runs). A function whose rewrite is skipped
/// keeps its original body.
pub fn rewrite_module(wasm: &[u8], rewrite: Rewrite) -> Option<Vec<u8>> {
    rewrite_module_explained(wasm, rewrite).ok()
}

/// [`rewrite_module`], saying why nothing came out (for tests of the rewrites).
pub fn rewrite_module_explained(wasm: &[u8], rewrite: Rewrite) -> Result<Vec<u8>, String> {
    let (shape, bodies) = parse(wasm).map_err(|_| "the module does not parse".to_string())?;
    let mut types = TypeAlloc {
        original: shape.types.len() as u32,
        added: vec![],
        counter: false,
    };
    let mut functions = Vec::new();
    let mut any = false;
    for (n, body) in bodies.iter().enumerate() {
        let func = shape.imported_funcs + n as u32;
        let rewritten = rewrite_body(&shape, &mut types, func, body, rewrite);
        match rewritten {
            Some(f) => {
                any = true;
                functions.push(f);
            }
            None => functions.push(original_body(body).ok_or("a body does not parse")?),
        }
    }
    if !any {
        return Err("no function changed".into());
    }
    let had_types = wasmparser::Parser::new(0)
        .parse_all(wasm)
        .any(|p| matches!(p, Ok(Payload::TypeSection(_))));
    if (!types.added.is_empty() || types.counter) && !had_types {
        return Err("no type section".into());
    }
    let mut assemble = Assemble {
        functions,
        next: 0,
        types: types.added,
        counter: types.counter,
        counter_done: false,
    };
    let mut module = wasm_encoder::Module::new();
    utils::parse_core_module(&mut assemble, &mut module, Parser::new(0), wasm)
        .map_err(|e| format!("re-encoding: {e}"))?;
    let bytes = module.finish();
    // A rewrite that produced an invalid module would look like a divergence of its own: the
    // original runs instead.
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&bytes)
        .map_err(|e| format!("the rewritten module is invalid: {e}"))?;
    Ok(bytes)
}

fn original_body(body: &wasmparser::FunctionBody) -> Option<wasm_encoder::Function> {
    let mut f = RoundtripReencoder
        .new_function_with_parsed_locals(body)
        .ok()?;
    let mut reader = body.get_operators_reader().ok()?;
    while !reader.eof() {
        let op = reader.read().ok()?;
        f.instruction(&RoundtripReencoder.instruction(op).ok()?);
    }
    Some(f)
}

fn rewrite_body(
    shape: &Shape,
    types: &mut TypeAlloc,
    func: u32,
    body: &wasmparser::FunctionBody,
    rewrite: Rewrite,
) -> Option<wasm_encoder::Function> {
    let ty = shape.func_type(*shape.funcs.get(func as usize)?)?;
    let mut locals = Vec::new();
    let mut declared = 0u32;
    for l in body.get_locals_reader().ok()? {
        let (n, t) = l.ok()?;
        declared = declared.checked_add(n)?;
        locals.push((n, t));
    }
    let mut ops = Vec::new();
    let mut reader = body.get_operators_reader().ok()?;
    while !reader.eof() {
        ops.push(reader.read().ok()?);
    }
    let added_before = types.added.len();
    let mut b = Body {
        shape,
        func,
        params: ty.params().to_vec(),
        results: ty.results().to_vec(),
        ops,
        frames: vec![Frame {
            kind: FrameKind::Function,
            params: vec![],
            results: ty.results().to_vec(),
            mark: false,
            wrappers: 0,
            after_end: vec![],
        }],
        locals,
        declared,
        extra: vec![],
        out: vec![],
        types,
        changed: false,
    };
    let ok = rewrite(&mut b).is_ok() && b.frames.is_empty();
    if !ok || !b.changed {
        b.types.added.truncate(added_before);
        return None;
    }
    let mut locals: Vec<(u32, wasm_encoder::ValType)> =
        b.locals.iter().map(|(n, t)| (*n, val(*t))).collect();
    locals.extend(b.extra.iter().map(|t| (1, val(*t))));
    let mut f = wasm_encoder::Function::new(locals);
    f.raw(b.out.iter().copied());
    Some(f)
}

/// The module's index spaces and its function bodies.
fn parse(wasm: &[u8]) -> Result<(Shape, Vec<wasmparser::FunctionBody<'_>>), Skip> {
    let mut shape = Shape {
        types: vec![],
        funcs: vec![],
        imported_funcs: 0,
        tags: vec![],
        memories: vec![],
        tables: vec![],
        globals: vec![],
        catch_tags: vec![],
    };
    let mut bodies = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::TypeSection(r) => {
                for group in r {
                    for sub in group?.into_types() {
                        shape.types.push(match sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => Some(f),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(r) => {
                for import in r.into_imports() {
                    match import?.ty {
                        TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                            shape.funcs.push(t);
                            shape.imported_funcs += 1;
                        }
                        TypeRef::Table(t) => shape.tables.push(t),
                        TypeRef::Memory(m) => shape.memories.push(m),
                        TypeRef::Global(g) => shape.globals.push(g.content_type),
                        TypeRef::Tag(t) => shape.tags.push(t.func_type_idx),
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    shape.funcs.push(t?);
                }
            }
            Payload::TableSection(r) => {
                for t in r {
                    shape.tables.push(t?.ty);
                }
            }
            Payload::MemorySection(r) => {
                for m in r {
                    shape.memories.push(m?);
                }
            }
            Payload::GlobalSection(r) => {
                for g in r {
                    shape.globals.push(g?.ty.content_type);
                }
            }
            Payload::TagSection(r) => {
                for t in r {
                    shape.tags.push(t?.func_type_idx);
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(body),
            _ => {}
        }
    }
    for body in &bodies {
        let mut reader = body.get_operators_reader()?;
        while !reader.eof() {
            if let Operator::TryTable { try_table } = reader.read()? {
                for c in &try_table.catches {
                    if let wasmparser::Catch::One { tag, .. }
                    | wasmparser::Catch::OneRef { tag, .. } = c
                    {
                        shape.catch_tags.push(*tag);
                    }
                }
            }
        }
    }
    Ok((shape, bodies))
}

/// Re-encodes a module with the rewritten bodies and the appended types.
struct Assemble {
    functions: Vec<wasm_encoder::Function>,
    next: usize,
    types: Vec<(Vec<ValType>, Vec<ValType>)>,
    counter: bool,
    counter_done: bool,
}

impl Assemble {
    fn counter(&mut self, globals: &mut wasm_encoder::GlobalSection) {
        if self.counter && !self.counter_done {
            globals.global(
                wasm_encoder::GlobalType {
                    val_type: wasm_encoder::ValType::I32,
                    mutable: true,
                    shared: false,
                },
                &wasm_encoder::ConstExpr::i32_const(0),
            );
        }
        self.counter_done = true;
    }
}

impl Reencode for Assemble {
    type Error = Infallible;

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), ReencodeError<Infallible>> {
        utils::parse_type_section(self, types, section)?;
        for (params, results) in &self.types {
            types.ty().function(
                params.iter().map(|t| val(*t)),
                results.iter().map(|t| val(*t)),
            );
        }
        Ok(())
    }

    fn parse_global_section(
        &mut self,
        globals: &mut wasm_encoder::GlobalSection,
        section: wasmparser::GlobalSectionReader<'_>,
    ) -> Result<(), ReencodeError<Infallible>> {
        utils::parse_global_section(self, globals, section)?;
        self.counter(globals);
        Ok(())
    }

    fn intersperse_section_hook(
        &mut self,
        module: &mut wasm_encoder::Module,
        after: Option<wasm_encoder::SectionId>,
        before: Option<wasm_encoder::SectionId>,
    ) -> Result<(), ReencodeError<Infallible>> {
        use wasm_encoder::SectionId as S;
        // A module without a global section gets one for the counter, in its place: after
        // the tag section and before exports.
        let past_globals = matches!(
            before,
            None | Some(S::Export | S::Start | S::Element | S::DataCount | S::Code | S::Data)
        );
        if self.counter && !self.counter_done && after.is_some() && past_globals {
            let mut globals = wasm_encoder::GlobalSection::new();
            self.counter(&mut globals);
            module.section(&globals);
        }
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        _func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), ReencodeError<Infallible>> {
        if let Some(f) = self.functions.get(self.next) {
            code.function(f);
        }
        self.next += 1;
        Ok(())
    }
}

/// The `i32.const` value of an operator.
pub fn i32_const(op: &Operator) -> Option<i32> {
    match op {
        Operator::I32Const { value } => Some(*value),
        _ => None,
    }
}

/// The `i64.const` value of an operator.
pub fn i64_const(op: &Operator) -> Option<i64> {
    match op {
        Operator::I64Const { value } => Some(*value),
        _ => None,
    }
}

/// A load or store of a plain (non-atomic, non-vector) value.
#[derive(Clone, Copy, Debug)]
pub struct Access {
    /// The memory it accesses.
    pub memory: u32,
    /// Its immediate.
    pub memarg: wasmparser::MemArg,
    /// How many bytes it touches.
    pub bytes: u64,
    /// For a store, the type of the stored value; `None` for a load.
    pub store: Option<ValType>,
}

/// The memory access an operator makes, if it is a plain load or store.
pub fn access(op: &Operator) -> Option<Access> {
    use Operator as O;
    let (memarg, bytes, store) = match *op {
        O::I32Load { memarg } | O::F32Load { memarg } | O::I64Load32S { memarg } => {
            (memarg, 4, None)
        }
        O::I64Load32U { memarg } => (memarg, 4, None),
        O::I64Load { memarg } | O::F64Load { memarg } => (memarg, 8, None),
        O::I32Load8S { memarg }
        | O::I32Load8U { memarg }
        | O::I64Load8S { memarg }
        | O::I64Load8U { memarg } => (memarg, 1, None),
        O::I32Load16S { memarg }
        | O::I32Load16U { memarg }
        | O::I64Load16S { memarg }
        | O::I64Load16U { memarg } => (memarg, 2, None),
        O::I32Store { memarg } => (memarg, 4, Some(ValType::I32)),
        O::I64Store { memarg } => (memarg, 8, Some(ValType::I64)),
        O::F32Store { memarg } => (memarg, 4, Some(ValType::F32)),
        O::F64Store { memarg } => (memarg, 8, Some(ValType::F64)),
        O::I32Store8 { memarg } => (memarg, 1, Some(ValType::I32)),
        O::I32Store16 { memarg } => (memarg, 2, Some(ValType::I32)),
        O::I64Store8 { memarg } => (memarg, 1, Some(ValType::I64)),
        O::I64Store16 { memarg } => (memarg, 2, Some(ValType::I64)),
        O::I64Store32 { memarg } => (memarg, 4, Some(ValType::I64)),
        _ => return None,
    };
    let wasmparser::MemArgTarget::Memory(memory) = memarg.target else {
        return None;
    };
    Some(Access {
        memory,
        memarg,
        bytes,
        store,
    })
}

/// The same load or store with another immediate.
pub fn with_memarg<'a>(op: &Operator<'a>, memarg: wasmparser::MemArg) -> Operator<'a> {
    use Operator as O;
    match op {
        O::I32Load { .. } => O::I32Load { memarg },
        O::I64Load { .. } => O::I64Load { memarg },
        O::F32Load { .. } => O::F32Load { memarg },
        O::F64Load { .. } => O::F64Load { memarg },
        O::I32Load8S { .. } => O::I32Load8S { memarg },
        O::I32Load8U { .. } => O::I32Load8U { memarg },
        O::I32Load16S { .. } => O::I32Load16S { memarg },
        O::I32Load16U { .. } => O::I32Load16U { memarg },
        O::I64Load8S { .. } => O::I64Load8S { memarg },
        O::I64Load8U { .. } => O::I64Load8U { memarg },
        O::I64Load16S { .. } => O::I64Load16S { memarg },
        O::I64Load16U { .. } => O::I64Load16U { memarg },
        O::I64Load32S { .. } => O::I64Load32S { memarg },
        O::I64Load32U { .. } => O::I64Load32U { memarg },
        O::I32Store { .. } => O::I32Store { memarg },
        O::I64Store { .. } => O::I64Store { memarg },
        O::F32Store { .. } => O::F32Store { memarg },
        O::F64Store { .. } => O::F64Store { memarg },
        O::I32Store8 { .. } => O::I32Store8 { memarg },
        O::I32Store16 { .. } => O::I32Store16 { memarg },
        O::I64Store8 { .. } => O::I64Store8 { memarg },
        O::I64Store16 { .. } => O::I64Store16 { memarg },
        O::I64Store32 { .. } => O::I64Store32 { memarg },
        other => other.clone(),
    }
}

/// The zero of a numeric type.
pub fn zero(t: ValType) -> Option<Instruction<'static>> {
    Some(match t {
        ValType::I32 => Instruction::I32Const(0),
        ValType::I64 => Instruction::I64Const(0),
        ValType::F32 => Instruction::F32Const(0.0.into()),
        ValType::F64 => Instruction::F64Const(0.0.into()),
        _ => return None,
    })
}

/// Whether a value type is numeric (a local of it can be declared and `select` takes it).
pub fn numeric(t: ValType) -> bool {
    matches!(t, ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64)
}

/// The stack effect (pops, pushes) of a straight-line operator that only computes, `None`
/// for anything else.
pub fn pure_arity(op: &Operator) -> Option<(u32, u32)> {
    use Operator::*;
    Some(match op {
        I32Const { .. }
        | I64Const { .. }
        | F32Const { .. }
        | F64Const { .. }
        | LocalGet { .. }
        | GlobalGet { .. } => (0, 1),
        I32Eqz | I64Eqz | I32Clz | I32Ctz | I32Popcnt | I64Clz | I64Ctz | I64Popcnt
        | I32WrapI64 | I64ExtendI32S | I64ExtendI32U | I32Extend8S | I32Extend16S | I64Extend8S
        | I64Extend16S | I64Extend32S | F32Neg | F64Neg | F32Abs | F64Abs | F32ConvertI32S
        | F32ConvertI32U | F64ConvertI32S | F64ConvertI32U | F32ConvertI64S | F64ConvertI64S
        | I32ReinterpretF32 | I64ReinterpretF64 | F32ReinterpretI32 | F64ReinterpretI64
        | F32DemoteF64 | F64PromoteF32 => (1, 1),
        I32Add | I32Sub | I32Mul | I32And | I32Or | I32Xor | I32Shl | I32ShrS | I32ShrU
        | I32Rotl | I32Rotr | I64Add | I64Sub | I64Mul | I64And | I64Or | I64Xor | I64Shl
        | I64ShrS | I64ShrU | I64Rotl | I64Rotr | I32Eq | I32Ne | I32LtS | I32LtU | I32GtS
        | I32GtU | I32LeS | I32LeU | I32GeS | I32GeU | I64Eq | I64Ne | I64LtS | I64LtU | I64GtS
        | I64GtU | I64LeS | I64LeU | I64GeS | I64GeU | F32Add | F32Sub | F32Mul | F64Add
        | F64Sub | F64Mul => (2, 1),
        _ => return None,
    })
}

/// The immediate of a byte access at offset 0 of memory `memory`.
pub fn byte_memarg(memory: u32) -> wasm_encoder::MemArg {
    wasm_encoder::MemArg {
        offset: 0,
        align: 0,
        target: wasm_encoder::MemArgTarget::Memory(memory),
        ordering: None,
    }
}
