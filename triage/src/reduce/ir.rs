//! The reducer's editable module: every section decoded into vectors (instructions as wasmparser operators borrowing the module's bytes), re-encoded with index remapping, unused-type removal and deduplication, and no custom sections.
//!
//! An edit removes or replaces items; [`Ir::encode`] renumbers every index space around the
//! removed items and fails (returns `None`) when something still refers to a removed one, so a
//! removal is only ever tried where nothing uses the item.

use std::borrow::Cow;
use wasm_encoder::reencode::{Error as ReError, Reencode, RoundtripReencoder};
use wasmparser::{
    BlockType, ExternalKind, FuncType, GlobalType, MemoryType, Operator, Parser, Payload, RefType,
    TableType, TagType, TypeRef, ValType,
};

/// A constant expression, as operators without the final `end`.
pub type ConstOps<'a> = Vec<Operator<'a>>;

/// An import.
#[derive(Clone, Debug)]
pub struct Import<'a> {
    /// Module name.
    pub module: &'a str,
    /// Item name.
    pub name: &'a str,
    /// What it imports.
    pub ty: TypeRef,
}

/// A function body.
#[derive(Clone, Debug)]
pub struct Body<'a> {
    /// The declared locals (after the parameters), one entry per local.
    pub locals: Vec<ValType>,
    /// The instructions, ending with the function's `end`.
    pub ops: Vec<Operator<'a>>,
}

/// How an element segment is placed.
#[derive(Clone, Debug)]
pub enum ElemMode<'a> {
    /// Passive.
    Passive,
    /// Declared.
    Declared,
    /// Active in a table at an offset.
    Active {
        /// The table.
        table: u32,
        /// The offset.
        offset: ConstOps<'a>,
    },
}

/// An element segment's items.
#[derive(Clone, Debug)]
pub enum ElemItems<'a> {
    /// Function indices.
    Funcs(Vec<u32>),
    /// Expressions of a reference type.
    Exprs(RefType, Vec<ConstOps<'a>>),
}

/// An element segment.
#[derive(Clone, Debug)]
pub struct Elem<'a> {
    /// Placement.
    pub mode: ElemMode<'a>,
    /// Items.
    pub items: ElemItems<'a>,
}

/// A data segment.
#[derive(Clone, Debug)]
pub struct DataSeg<'a> {
    /// `(memory, offset)` for an active segment.
    pub active: Option<(u32, ConstOps<'a>)>,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// An export.
#[derive(Clone, Debug)]
pub struct Export {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: ExternalKind,
    /// The item's index.
    pub index: u32,
}

/// A whole module.
#[derive(Clone, Debug, Default)]
pub struct Ir<'a> {
    /// Function types (every type of an in-scope module is a function type).
    pub types: Vec<FuncType>,
    /// Imports.
    pub imports: Vec<Import<'a>>,
    /// The type of each defined function.
    pub funcs: Vec<u32>,
    /// Defined tables and their initializers.
    pub tables: Vec<(TableType, Option<ConstOps<'a>>)>,
    /// Defined memories.
    pub memories: Vec<MemoryType>,
    /// Defined tags.
    pub tags: Vec<TagType>,
    /// Defined globals.
    pub globals: Vec<(GlobalType, ConstOps<'a>)>,
    /// Exports.
    pub exports: Vec<Export>,
    /// The start function.
    pub start: Option<u32>,
    /// Element segments.
    pub elems: Vec<Elem<'a>>,
    /// Data segments.
    pub datas: Vec<DataSeg<'a>>,
    /// Bodies of the defined functions.
    pub code: Vec<Body<'a>>,
}

/// Which index space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Space {
    /// Functions.
    Func,
    /// Tables.
    Table,
    /// Memories.
    Memory,
    /// Globals.
    Global,
    /// Tags.
    Tag,
    /// Element segments.
    Elem,
    /// Data segments.
    Data,
}

fn const_ops<'a>(expr: &wasmparser::ConstExpr<'a>) -> Option<ConstOps<'a>> {
    let mut ops = Vec::new();
    let mut reader = expr.get_operators_reader();
    while !reader.eof() {
        match reader.read().ok()? {
            Operator::End => {}
            op => ops.push(op),
        }
    }
    Some(ops)
}

impl<'a> Ir<'a> {
    /// Decodes a module; `None` for modules outside what the reducer edits (GC types,
    /// components, unreadable sections).
    pub fn parse(wasm: &'a [u8]) -> Option<Ir<'a>> {
        let mut ir = Ir::default();
        for payload in Parser::new(0).parse_all(wasm) {
            match payload.ok()? {
                Payload::Version { .. } | Payload::CustomSection(_) | Payload::End(_) => {}
                Payload::DataCountSection { .. } | Payload::CodeSectionStart { .. } => {}
                Payload::TypeSection(r) => {
                    for group in r {
                        let group = group.ok()?;
                        if group.is_explicit_rec_group() {
                            return None;
                        }
                        for sub in group.into_types() {
                            if !sub.is_final || !sub.supertype_idxs.is_empty() {
                                return None;
                            }
                            match sub.composite_type.inner {
                                wasmparser::CompositeInnerType::Func(f)
                                    if !sub.composite_type.shared =>
                                {
                                    ir.types.push(f)
                                }
                                _ => return None,
                            }
                        }
                    }
                }
                Payload::ImportSection(r) => {
                    for group in r {
                        match group.ok()? {
                            wasmparser::Imports::Single(_, i) => ir.imports.push(Import {
                                module: i.module,
                                name: i.name,
                                ty: i.ty,
                            }),
                            wasmparser::Imports::Compact1 { module, items } => {
                                for item in items {
                                    let item = item.ok()?;
                                    ir.imports.push(Import {
                                        module,
                                        name: item.name,
                                        ty: item.ty,
                                    });
                                }
                            }
                            wasmparser::Imports::Compact2 { module, ty, names } => {
                                for name in names {
                                    ir.imports.push(Import {
                                        module,
                                        name: name.ok()?,
                                        ty,
                                    });
                                }
                            }
                        }
                    }
                }
                Payload::FunctionSection(r) => {
                    for f in r {
                        ir.funcs.push(f.ok()?);
                    }
                }
                Payload::TableSection(r) => {
                    for t in r {
                        let t = t.ok()?;
                        let init = match &t.init {
                            wasmparser::TableInit::RefNull => None,
                            wasmparser::TableInit::Expr(e) => Some(const_ops(e)?),
                        };
                        ir.tables.push((t.ty, init));
                    }
                }
                Payload::MemorySection(r) => {
                    for m in r {
                        ir.memories.push(m.ok()?);
                    }
                }
                Payload::TagSection(r) => {
                    for t in r {
                        ir.tags.push(t.ok()?);
                    }
                }
                Payload::GlobalSection(r) => {
                    for g in r {
                        let g = g.ok()?;
                        ir.globals.push((g.ty, const_ops(&g.init_expr)?));
                    }
                }
                Payload::ExportSection(r) => {
                    for e in r {
                        let e = e.ok()?;
                        ir.exports.push(Export {
                            name: e.name.to_string(),
                            kind: e.kind,
                            index: e.index,
                        });
                    }
                }
                Payload::StartSection { func, .. } => ir.start = Some(func),
                Payload::ElementSection(r) => {
                    for e in r {
                        let e = e.ok()?;
                        let mode = match &e.kind {
                            wasmparser::ElementKind::Passive => ElemMode::Passive,
                            wasmparser::ElementKind::Declared => ElemMode::Declared,
                            wasmparser::ElementKind::Active {
                                table_index,
                                offset_expr,
                            } => ElemMode::Active {
                                table: table_index.unwrap_or(0),
                                offset: const_ops(offset_expr)?,
                            },
                        };
                        let items = match e.items {
                            wasmparser::ElementItems::Functions(r) => {
                                ElemItems::Funcs(r.into_iter().collect::<Result<_, _>>().ok()?)
                            }
                            wasmparser::ElementItems::Expressions(ty, r) => {
                                let mut exprs = Vec::new();
                                for x in r {
                                    exprs.push(const_ops(&x.ok()?)?);
                                }
                                ElemItems::Exprs(ty, exprs)
                            }
                        };
                        ir.elems.push(Elem { mode, items });
                    }
                }
                Payload::DataSection(r) => {
                    for d in r {
                        let d = d.ok()?;
                        let active = match &d.kind {
                            wasmparser::DataKind::Passive => None,
                            wasmparser::DataKind::Active {
                                memory_index,
                                offset_expr,
                            } => Some((*memory_index, const_ops(offset_expr)?)),
                        };
                        ir.datas.push(DataSeg {
                            active,
                            bytes: d.data.to_vec(),
                        });
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let mut locals = Vec::new();
                    for l in body.get_locals_reader().ok()? {
                        let (n, ty) = l.ok()?;
                        if n > 10_000 {
                            return None;
                        }
                        locals.extend(std::iter::repeat_n(ty, n as usize));
                    }
                    let mut ops = Vec::new();
                    let mut reader = body.get_operators_reader().ok()?;
                    while !reader.eof() {
                        ops.push(reader.read().ok()?);
                    }
                    ir.code.push(Body { locals, ops });
                }
                _ => return None,
            }
        }
        (ir.funcs.len() == ir.code.len()).then_some(ir)
    }

    /// Imports of `kind` (counted in the index space before the defined items).
    pub fn imported(&self, space: Space) -> u32 {
        self.imports
            .iter()
            .filter(|i| {
                matches!(
                    (space, i.ty),
                    (Space::Func, TypeRef::Func(_))
                        | (Space::Table, TypeRef::Table(_))
                        | (Space::Memory, TypeRef::Memory(_))
                        | (Space::Global, TypeRef::Global(_))
                        | (Space::Tag, TypeRef::Tag(_))
                )
            })
            .count() as u32
    }

    /// What `import` says of item `index` of one space among the imports, else what
    /// `defined` says of the defined item it is (counted after the imports).
    fn lookup<T>(
        &self,
        index: u32,
        import: impl Fn(TypeRef) -> Option<T>,
        defined: impl FnOnce(usize) -> Option<T>,
    ) -> Option<T> {
        let mut count = 0usize;
        for item in self.imports.iter().filter_map(|i| import(i.ty)) {
            if count == index as usize {
                return Some(item);
            }
            count += 1;
        }
        defined(index as usize - count)
    }

    /// The type of function `index` (imported or defined).
    pub fn func_type(&self, index: u32) -> Option<&FuncType> {
        let ty = self.lookup(
            index,
            |t| match t {
                TypeRef::Func(t) => Some(t),
                _ => None,
            },
            |k| self.funcs.get(k).copied(),
        )?;
        self.types.get(ty as usize)
    }

    /// The results of a block of type `bt`; `None` when its type index is out of range.
    pub fn block_results(&self, bt: BlockType) -> Option<Vec<ValType>> {
        Some(match bt {
            BlockType::Empty => Vec::new(),
            BlockType::Type(t) => vec![t],
            BlockType::FuncType(t) => self.types.get(t as usize)?.results().to_vec(),
        })
    }

    /// The type of memory `index` (imported or defined).
    pub fn memory_type(&self, index: u32) -> Option<MemoryType> {
        self.lookup(
            index,
            |t| match t {
                TypeRef::Memory(t) => Some(t),
                _ => None,
            },
            |k| self.memories.get(k).copied(),
        )
    }

    /// The type of global `index` (imported or defined).
    pub fn global_type(&self, index: u32) -> Option<GlobalType> {
        self.lookup(
            index,
            |t| match t {
                TypeRef::Global(t) => Some(t),
                _ => None,
            },
            |k| self.globals.get(k).map(|g| g.0),
        )
    }

    /// Encodes the module with `removed` items of each space dropped (indices renumbered);
    /// `None` when something refers to a removed item or an index is out of range.
    pub fn encode(&self) -> Option<Vec<u8>> {
        self.encode_without(&Removed::default())
    }

    /// [`Ir::encode`] with items removed.
    pub fn encode_without(&self, removed: &Removed) -> Option<Vec<u8>> {
        // Pass 1: which types are used (collected through the type-index hook).
        let mut collect = Remap::new(self, removed, None);
        self.emit(&mut collect)?;
        let used = collect.used_types;
        // Deduplicated, in first-use order of the original index.
        let mut type_map: Vec<Option<u32>> = vec![None; self.types.len()];
        let mut kept: Vec<&FuncType> = Vec::new();
        for (i, ty) in self.types.iter().enumerate() {
            if !used.contains(&(i as u32)) {
                continue;
            }
            let at = match kept.iter().position(|k| *k == ty) {
                Some(p) => p,
                None => {
                    kept.push(ty);
                    kept.len() - 1
                }
            };
            type_map[i] = Some(at as u32);
        }
        let mut remap = Remap::new(self, removed, Some(type_map));
        let mut module = wasm_encoder::Module::new();
        if !kept.is_empty() {
            let mut types = wasm_encoder::TypeSection::new();
            for ty in &kept {
                let params: Vec<wasm_encoder::ValType> = ty
                    .params()
                    .iter()
                    .map(|t| RoundtripReencoder.val_type(*t).ok())
                    .collect::<Option<_>>()?;
                let results: Vec<wasm_encoder::ValType> = ty
                    .results()
                    .iter()
                    .map(|t| RoundtripReencoder.val_type(*t).ok())
                    .collect::<Option<_>>()?;
                types.ty().function(params, results);
            }
            module.section(&types);
        }
        let sections = self.emit(&mut remap)?;
        for (id, data) in &sections {
            module.section(&wasm_encoder::RawSection { id: *id, data });
        }
        Some(module.finish())
    }

    /// Encodes every section but the types through `remap`.
    fn emit(&self, remap: &mut Remap) -> Option<Vec<(u8, Vec<u8>)>> {
        let mut out: Vec<(u8, Vec<u8>)> = Vec::new();
        let mut push = |id: u8, section: &dyn wasm_encoder::Encode, empty: bool| {
            if !empty {
                let mut bytes = Vec::new();
                section.encode(&mut bytes);
                out.push((id, bytes));
            }
        };
        let r = &mut *remap;
        // Imports.
        let mut imports = wasm_encoder::ImportSection::new();
        let mut count = [0u32; 5];
        for imp in &self.imports {
            let slot = match imp.ty {
                TypeRef::Func(_) => 0,
                TypeRef::Table(_) => 1,
                TypeRef::Memory(_) => 2,
                TypeRef::Global(_) => 3,
                TypeRef::Tag(_) => 4,
                _ => return None,
            };
            let space = [
                Space::Func,
                Space::Table,
                Space::Memory,
                Space::Global,
                Space::Tag,
            ][slot];
            let index = count[slot];
            count[slot] += 1;
            if r.removed.get(space).contains(&index) {
                continue;
            }
            imports.import(imp.module, imp.name, r.entity_type(imp.ty).ok()?);
        }
        push(2, &imports, imports.is_empty());
        let fi = self.imported(Space::Func);
        let mut funcs = wasm_encoder::FunctionSection::new();
        for (i, ty) in self.funcs.iter().enumerate() {
            if r.removed.funcs.contains(&(fi + i as u32)) {
                continue;
            }
            funcs.function(r.type_index(*ty).ok()?);
        }
        push(3, &funcs, funcs.is_empty());
        let ti = self.imported(Space::Table);
        let mut tables = wasm_encoder::TableSection::new();
        for (i, (ty, init)) in self.tables.iter().enumerate() {
            if r.removed.tables.contains(&(ti + i as u32)) {
                continue;
            }
            let ty = r.table_type(*ty).ok()?;
            match init {
                None => tables.table(ty),
                Some(ops) => tables.table_with_init(ty, &r.const_expr_ops(ops)?),
            };
        }
        push(4, &tables, tables.is_empty());
        let mi = self.imported(Space::Memory);
        let mut memories = wasm_encoder::MemorySection::new();
        for (i, m) in self.memories.iter().enumerate() {
            if !r.removed.memories.contains(&(mi + i as u32)) {
                memories.memory(r.memory_type(*m).ok()?);
            }
        }
        push(5, &memories, memories.is_empty());
        let gi = self.imported(Space::Global);
        let mut globals = wasm_encoder::GlobalSection::new();
        for (i, (ty, init)) in self.globals.iter().enumerate() {
            if !r.removed.globals.contains(&(gi + i as u32)) {
                globals.global(r.global_type(*ty).ok()?, &r.const_expr_ops(init)?);
            }
        }
        let xi = self.imported(Space::Tag);
        let mut tags = wasm_encoder::TagSection::new();
        for (i, t) in self.tags.iter().enumerate() {
            if !r.removed.tags.contains(&(xi + i as u32)) {
                tags.tag(r.tag_type(*t).ok()?);
            }
        }
        // The tag section comes between memory and global.
        push(13, &tags, tags.is_empty());
        push(6, &globals, globals.is_empty());
        let mut exports = wasm_encoder::ExportSection::new();
        for e in &self.exports {
            let index = r.external_index(e.kind, e.index)?;
            exports.export(&e.name, RoundtripReencoder.export_kind(e.kind).ok()?, index);
        }
        push(7, &exports, exports.is_empty());
        if let Some(start) = self.start {
            let f = r.function_index(start).ok()?;
            push(8, &wasm_encoder::StartSection { function_index: f }, false);
        }
        let mut elems = wasm_encoder::ElementSection::new();
        for (i, e) in self.elems.iter().enumerate() {
            if r.removed.elems.contains(&(i as u32)) {
                continue;
            }
            let items = match &e.items {
                ElemItems::Funcs(f) => wasm_encoder::Elements::Functions(Cow::Owned(
                    f.iter()
                        .map(|x| r.function_index(*x).ok())
                        .collect::<Option<Vec<_>>>()?,
                )),
                ElemItems::Exprs(ty, xs) => wasm_encoder::Elements::Expressions(
                    r.ref_type(*ty).ok()?,
                    Cow::Owned(
                        xs.iter()
                            .map(|x| r.const_expr_ops(x))
                            .collect::<Option<Vec<_>>>()?,
                    ),
                ),
            };
            match &e.mode {
                ElemMode::Passive => elems.passive(items),
                ElemMode::Declared => elems.declared(items),
                ElemMode::Active { table, offset } => {
                    let t = r.table_index(*table).ok()?;
                    elems.active((t != 0).then_some(t), &r.const_expr_ops(offset)?, items)
                }
            };
        }
        // Code first (it tells whether a data count section is needed).
        let mut code = wasm_encoder::CodeSection::new();
        let mut needs_data_count = false;
        for (i, body) in self.code.iter().enumerate() {
            if r.removed.funcs.contains(&(fi + i as u32)) {
                continue;
            }
            let params = self.types.get(self.funcs[i] as usize)?.params().len() as u32;
            let mut locals: Vec<(u32, wasm_encoder::ValType)> = Vec::new();
            for l in &body.locals {
                let t = r.val_type(*l).ok()?;
                match locals.last_mut() {
                    Some((n, last)) if *last == t => *n += 1,
                    _ => locals.push((1, t)),
                }
            }
            let mut f = wasm_encoder::Function::new(locals);
            let total = params + body.locals.len() as u32;
            for op in &body.ops {
                if matches!(op, Operator::MemoryInit { .. } | Operator::DataDrop { .. }) {
                    needs_data_count = true;
                }
                if let Operator::LocalGet { local_index }
                | Operator::LocalSet { local_index }
                | Operator::LocalTee { local_index } = op
                    && *local_index >= total
                {
                    return None;
                }
                f.instruction(&r.instruction(op.clone()).ok()?);
            }
            code.function(&f);
        }
        push(9, &elems, elems.is_empty());
        let mut datas = wasm_encoder::DataSection::new();
        for (i, d) in self.datas.iter().enumerate() {
            if r.removed.datas.contains(&(i as u32)) {
                continue;
            }
            match &d.active {
                None => datas.passive(d.bytes.iter().copied()),
                Some((m, offset)) => {
                    let m = r.memory_index(*m).ok()?;
                    datas.active(m, &r.const_expr_ops(offset)?, d.bytes.iter().copied())
                }
            };
        }
        if needs_data_count {
            push(
                12,
                &wasm_encoder::DataCountSection { count: datas.len() },
                false,
            );
        }
        push(10, &code, code.is_empty());
        push(11, &datas, datas.is_empty());
        // Sections in the binary format's order.
        let order = [2u8, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];
        out.sort_by_key(|(id, _)| order.iter().position(|o| o == id));
        Some(
            out.into_iter()
                .map(|(id, bytes)| {
                    // `Encode` writes the section's size, then its contents.
                    let mut reader = wasmparser::BinaryReader::new(&bytes, 0);
                    let len = reader.read_var_u32().unwrap_or(0) as usize;
                    let start = reader.original_position() as usize;
                    (id, bytes[start..start + len].to_vec())
                })
                .collect(),
        )
    }
}

/// Items to leave out, by index in each space (imports included).
#[derive(Clone, Debug, Default)]
pub struct Removed {
    /// Functions.
    pub funcs: Vec<u32>,
    /// Tables.
    pub tables: Vec<u32>,
    /// Memories.
    pub memories: Vec<u32>,
    /// Globals.
    pub globals: Vec<u32>,
    /// Tags.
    pub tags: Vec<u32>,
    /// Element segments.
    pub elems: Vec<u32>,
    /// Data segments.
    pub datas: Vec<u32>,
}

impl Removed {
    /// One item of one space.
    pub fn one(space: Space, index: u32) -> Removed {
        let mut r = Removed::default();
        r.get_mut(space).push(index);
        r
    }

    fn get(&self, space: Space) -> &Vec<u32> {
        match space {
            Space::Func => &self.funcs,
            Space::Table => &self.tables,
            Space::Memory => &self.memories,
            Space::Global => &self.globals,
            Space::Tag => &self.tags,
            Space::Elem => &self.elems,
            Space::Data => &self.datas,
        }
    }

    fn get_mut(&mut self, space: Space) -> &mut Vec<u32> {
        match space {
            Space::Func => &mut self.funcs,
            Space::Table => &mut self.tables,
            Space::Memory => &mut self.memories,
            Space::Global => &mut self.globals,
            Space::Tag => &mut self.tags,
            Space::Elem => &mut self.elems,
            Space::Data => &mut self.datas,
        }
    }
}

/// A removed item is still referred to.
#[derive(Debug)]
struct Dangling;

/// The renumbering of every index space around removed items.
struct Remap<'r> {
    removed: &'r Removed,
    /// Type renumbering; `None` while collecting used types.
    types: Option<Vec<Option<u32>>>,
    used_types: std::collections::BTreeSet<u32>,
}

impl<'r> Remap<'r> {
    fn new(_ir: &Ir, removed: &'r Removed, types: Option<Vec<Option<u32>>>) -> Remap<'r> {
        Remap {
            removed,
            types,
            used_types: Default::default(),
        }
    }

    fn shift(&self, space: Space, index: u32) -> Result<u32, ReError<Dangling>> {
        let removed = self.removed.get(space);
        if removed.contains(&index) {
            return Err(ReError::UserError(Dangling));
        }
        Ok(index - removed.iter().filter(|&&r| r < index).count() as u32)
    }

    fn external_index(&mut self, kind: ExternalKind, index: u32) -> Option<u32> {
        let space = match kind {
            ExternalKind::Func => Space::Func,
            ExternalKind::Table => Space::Table,
            ExternalKind::Memory => Space::Memory,
            ExternalKind::Global => Space::Global,
            ExternalKind::Tag => Space::Tag,
            _ => return None,
        };
        self.shift(space, index).ok()
    }

    fn const_expr_ops(&mut self, ops: &[Operator<'_>]) -> Option<wasm_encoder::ConstExpr> {
        let insns: Vec<wasm_encoder::Instruction> = ops
            .iter()
            .map(|op| self.instruction(op.clone()).ok())
            .collect::<Option<_>>()?;
        Some(wasm_encoder::ConstExpr::extended(insns))
    }
}

impl Reencode for Remap<'_> {
    type Error = Dangling;

    fn type_index(&mut self, ty: u32) -> Result<u32, ReError<Dangling>> {
        self.used_types.insert(ty);
        match &self.types {
            None => Ok(ty),
            Some(map) => map
                .get(ty as usize)
                .copied()
                .flatten()
                .ok_or(ReError::UserError(Dangling)),
        }
    }
    fn function_index(&mut self, f: u32) -> Result<u32, ReError<Dangling>> {
        self.shift(Space::Func, f)
    }
    fn table_index(&mut self, t: u32) -> Result<u32, ReError<Dangling>> {
        self.shift(Space::Table, t)
    }
    fn memory_index(&mut self, m: u32) -> Result<u32, ReError<Dangling>> {
        self.shift(Space::Memory, m)
    }
    fn global_index(&mut self, g: u32) -> Result<u32, ReError<Dangling>> {
        self.shift(Space::Global, g)
    }
    fn tag_index(&mut self, t: u32) -> Result<u32, ReError<Dangling>> {
        self.shift(Space::Tag, t)
    }
    fn element_index(&mut self, e: u32) -> Result<u32, ReError<Dangling>> {
        self.shift(Space::Elem, e)
    }
    fn data_index(&mut self, d: u32) -> Result<u32, ReError<Dangling>> {
        self.shift(Space::Data, d)
    }
}

/// The constant of `ty` with value zero (null for references): `None` for types without one
/// (non-nullable references, v128 without SIMD).
pub fn zero_of(ty: ValType) -> Option<Operator<'static>> {
    Some(match ty {
        ValType::I32 => Operator::I32Const { value: 0 },
        ValType::I64 => Operator::I64Const { value: 0 },
        ValType::F32 => Operator::F32Const {
            value: wasmparser::Ieee32::from(0.0f32),
        },
        ValType::F64 => Operator::F64Const {
            value: wasmparser::Ieee64::from(0.0f64),
        },
        ValType::Ref(r) if r.is_nullable() => Operator::RefNull { hty: r.heap_type() },
        _ => return None,
    })
}

/// Whether `op` opens a block that an `end` closes.
pub fn opens_block(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::Block { .. }
            | Operator::Loop { .. }
            | Operator::If { .. }
            | Operator::TryTable { .. }
    )
}

/// The block type of a block-opening operator.
pub fn block_type(op: &Operator<'_>) -> Option<BlockType> {
    match op {
        Operator::Block { blockty } | Operator::Loop { blockty } | Operator::If { blockty } => {
            Some(*blockty)
        }
        Operator::TryTable { try_table } => Some(try_table.ty),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_drops_unused_and_duplicate_types() {
        let wasm = wat::parse_str(
            r#"(module
                 (type (func (param i32)))
                 (type (func (result i64)))
                 (type (func (result i64)))
                 (tag $t (param i32))
                 (memory i64 1)
                 (global $g (mut i32) (i32.const 7))
                 (table 2 funcref)
                 (elem (i32.const 0) func $a)
                 (data (i64.const 3) "ab")
                 (func $a (type 1)
                   (drop (block (result i32) (try_table (catch $t 0) (throw $t (i32.const 1))) (i32.const 0)))
                   (i64.const 1))
                 (func $b (type 2) (local i32 i32 f64) (global.set $g (i32.const 2)) (i64.const 2))
                 (export "a" (func $a)))"#,
        )
        .unwrap();
        let ir = Ir::parse(&wasm).expect("parses");
        assert_eq!(ir.code[1].locals.len(), 3);
        let out = ir.encode().expect("encodes");
        wasmparser::Validator::new()
            .validate_all(&out)
            .expect("valid");
        let again = Ir::parse(&out).unwrap();
        // The two identical types are one; the unused (param i32) type is still used by the tag.
        assert_eq!(again.types.len(), 2);
        // Removing $b renumbers nothing it does not own; removing $a fails (exported, in elem).
        assert!(ir.encode_without(&Removed::one(Space::Func, 1)).is_some());
        assert!(ir.encode_without(&Removed::one(Space::Func, 0)).is_none());
        assert!(ir.encode_without(&Removed::one(Space::Global, 0)).is_none());
        assert!(ir.encode_without(&Removed::one(Space::Data, 0)).is_some());
    }
}
