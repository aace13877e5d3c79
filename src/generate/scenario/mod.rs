//! Scenario generators: modules built with wasm-encoder in which exceptions actually fly (webs
//! of throwing functions under nested `try_table`s) and memory64 accesses hit the interesting
//! addresses, valid by construction.
//!
//! A scenario is planned in two steps: a [`Layout`] fixes every index space (types, tags,
//! memories, table, globals, function signatures) from the scenario's knobs, then function
//! bodies are generated against it by [`body::FuncBuilder`], whose building blocks are
//! stack-neutral statements, so that any sequence of them is valid.

pub mod body;
pub mod config;
pub mod mem64;
pub mod web;

use crate::generate::addresses::PAGE;
use oracles::Val;
use wasm_encoder::{
    CodeSection, ConstExpr, DataCountSection, DataSection, ElementSection, Elements, ExportKind,
    ExportSection, Function, FunctionSection, GlobalSection, GlobalType, HeapType, MemorySection,
    MemoryType, RefType, StartSection, TableSection, TableType, TagKind, TagSection, TagType,
    TypeSection,
};

/// The heap type of `exnref`.
pub const EXN_HEAP: HeapType = HeapType::Abstract {
    shared: false,
    ty: wasm_encoder::AbstractHeapType::Exn,
};

/// The value types scenarios use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
    /// `externref`
    Extern,
    /// `exnref`
    Exn,
}

impl Ty {
    /// Every type, in a fixed order.
    pub const ALL: [Ty; 6] = [Ty::I32, Ty::I64, Ty::F32, Ty::F64, Ty::Extern, Ty::Exn];

    /// The wasm-encoder type.
    pub fn encoder(self) -> wasm_encoder::ValType {
        match self {
            Ty::I32 => wasm_encoder::ValType::I32,
            Ty::I64 => wasm_encoder::ValType::I64,
            Ty::F32 => wasm_encoder::ValType::F32,
            Ty::F64 => wasm_encoder::ValType::F64,
            Ty::Extern => wasm_encoder::ValType::Ref(RefType::EXTERNREF),
            Ty::Exn => wasm_encoder::ValType::Ref(RefType::EXNREF),
        }
    }

    /// The comparison vocabulary's type.
    pub fn val_type(self) -> oracles::ValType {
        match self {
            Ty::I32 => oracles::ValType::I32,
            Ty::I64 => oracles::ValType::I64,
            Ty::F32 => oracles::ValType::F32,
            Ty::F64 => oracles::ValType::F64,
            Ty::Extern => oracles::ValType::ExternRef,
            Ty::Exn => oracles::ValType::ExnRef,
        }
    }

    /// The constant initializer of a global of this type (zero or null).
    fn zero(self) -> ConstExpr {
        match self {
            Ty::I32 => ConstExpr::i32_const(0),
            Ty::I64 => ConstExpr::i64_const(0),
            Ty::F32 => ConstExpr::f32_const(0.0.into()),
            Ty::F64 => ConstExpr::f64_const(0.0.into()),
            Ty::Extern => ConstExpr::ref_null(HeapType::EXTERN),
            Ty::Exn => ConstExpr::ref_null(EXN_HEAP),
        }
    }
}

/// The function types of a module, interned: one index per distinct (params, results).
#[derive(Clone, Debug, Default)]
pub struct Types {
    list: Vec<(Vec<Ty>, Vec<Ty>)>,
}

impl Types {
    /// The index of the function type `params -> results`, added when new.
    pub fn intern(&mut self, params: &[Ty], results: &[Ty]) -> u32 {
        if let Some(i) = self
            .list
            .iter()
            .position(|(p, r)| p == params && r == results)
        {
            return i as u32;
        }
        self.list.push((params.to_vec(), results.to_vec()));
        (self.list.len() - 1) as u32
    }

    /// The block type for a block that takes nothing and yields `results`.
    pub fn block(&mut self, results: &[Ty]) -> wasm_encoder::BlockType {
        match results {
            [] => wasm_encoder::BlockType::Empty,
            [t] => wasm_encoder::BlockType::Result(t.encoder()),
            _ => wasm_encoder::BlockType::FunctionType(self.intern(&[], results)),
        }
    }
}

/// A function signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sig {
    /// Parameter types.
    pub params: Vec<Ty>,
    /// Result types.
    pub results: Vec<Ty>,
    /// Its type index.
    pub type_index: u32,
}

/// A memory of the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mem {
    /// Whether its index type is `i64`.
    pub mem64: bool,
    /// Minimum size in pages.
    pub min: u64,
    /// Declared maximum in pages.
    pub max: Option<u64>,
}

impl Mem {
    /// The type of its addresses.
    pub fn addr(&self) -> Ty {
        if self.mem64 { Ty::I64 } else { Ty::I32 }
    }

    /// Its initial size in bytes.
    pub fn min_bytes(&self) -> u64 {
        self.min * PAGE
    }
}

/// What a global is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The call budget: function entries left before every function returns at once.
    Budget,
    /// A mutable scratch value written by statements and read by expressions.
    Scratch,
    /// The result of the last `memory.grow` on this memory.
    Grow(u32),
    /// A counter incremented by handlers.
    Counter,
}

/// A global of the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Global {
    /// Its type.
    pub ty: Ty,
    /// Its purpose.
    pub role: Role,
}

/// A funcref table of the layout, holding `elements` from slot 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// Whether its index type is `i64`.
    pub table64: bool,
    /// Its size in elements (slots past `elements` are null).
    pub size: u64,
    /// The functions in slots `0..elements.len()`.
    pub elements: Vec<u32>,
}

/// A function of the layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncDecl {
    /// Its signature (an index into [`Layout::sigs`]).
    pub sig: usize,
    /// Its export name.
    pub name: String,
    /// Whether statements may call it (web functions; not entries, kernels or start).
    pub callable: bool,
}

/// Every index space of a scenario module, fixed before any body is generated.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// Signatures used by functions (their type indices are interned first).
    pub sigs: Vec<Sig>,
    /// Tags: payload types and type index.
    pub tags: Vec<(Vec<Ty>, u32)>,
    /// Memories.
    pub mems: Vec<Mem>,
    /// The table, if any.
    pub table: Option<Table>,
    /// Globals.
    pub globals: Vec<Global>,
    /// Functions, in index order.
    pub funcs: Vec<FuncDecl>,
    /// Active data segments: (memory, offset, bytes).
    pub active_data: Vec<(u32, u64, Vec<u8>)>,
    /// Passive data segments (their indices follow the active ones).
    pub passive_data: Vec<Vec<u8>>,
    /// The start function.
    pub start: Option<u32>,
    /// The initial value of the budget global (entries reset it to this value).
    pub budget: u32,
}

impl Layout {
    /// The index of the first global with `role`.
    pub fn global(&self, role: Role) -> Option<u32> {
        self.globals
            .iter()
            .position(|g| g.role == role)
            .map(|i| i as u32)
    }

    /// The scratch globals of type `ty`.
    pub fn scratch(&self, ty: Ty) -> Vec<u32> {
        (0..self.globals.len() as u32)
            .filter(|&i| {
                let g = self.globals[i as usize];
                g.ty == ty && g.role == Role::Scratch
            })
            .collect()
    }

    /// The signature of function `f`.
    pub fn sig_of(&self, f: u32) -> &Sig {
        &self.sigs[self.funcs[f as usize].sig]
    }

    /// The index of the first passive data segment.
    pub fn passive_base(&self) -> u32 {
        self.active_data.len() as u32
    }

    /// Encodes the module: `bodies[i]` is the body of function `i`.
    pub fn encode(&self, types: &Types, bodies: Vec<Function>) -> Vec<u8> {
        let mut module = wasm_encoder::Module::new();
        let mut type_section = TypeSection::new();
        for (params, results) in &types.list {
            type_section.ty().function(
                params.iter().map(|t| t.encoder()),
                results.iter().map(|t| t.encoder()),
            );
        }
        module.section(&type_section);

        let mut functions = FunctionSection::new();
        for f in &self.funcs {
            functions.function(self.sigs[f.sig].type_index);
        }
        module.section(&functions);

        if let Some(t) = &self.table {
            let mut tables = TableSection::new();
            tables.table(TableType {
                element_type: RefType::FUNCREF,
                table64: t.table64,
                minimum: t.size,
                maximum: Some(t.size),
                shared: false,
            });
            module.section(&tables);
        }

        if !self.mems.is_empty() {
            let mut memories = MemorySection::new();
            for m in &self.mems {
                memories.memory(MemoryType {
                    minimum: m.min,
                    maximum: m.max,
                    memory64: m.mem64,
                    shared: false,
                    page_size_log2: None,
                });
            }
            module.section(&memories);
        }

        if !self.tags.is_empty() {
            let mut tags = TagSection::new();
            for (_, ty) in &self.tags {
                tags.tag(TagType {
                    kind: TagKind::Exception,
                    func_type_idx: *ty,
                });
            }
            module.section(&tags);
        }

        if !self.globals.is_empty() {
            let mut globals = GlobalSection::new();
            for g in &self.globals {
                let init = match g.role {
                    Role::Budget => ConstExpr::i32_const(self.budget as i32),
                    _ => g.ty.zero(),
                };
                globals.global(
                    GlobalType {
                        val_type: g.ty.encoder(),
                        mutable: true,
                        shared: false,
                    },
                    &init,
                );
            }
            module.section(&globals);
        }

        let mut exports = ExportSection::new();
        for (i, f) in self.funcs.iter().enumerate() {
            exports.export(&f.name, ExportKind::Func, i as u32);
        }
        if self.table.is_some() {
            exports.export("table", ExportKind::Table, 0);
        }
        for i in 0..self.mems.len() {
            exports.export(&format!("mem{i}"), ExportKind::Memory, i as u32);
        }
        for i in 0..self.tags.len() {
            exports.export(&format!("tag{i}"), ExportKind::Tag, i as u32);
        }
        for (i, g) in self.globals.iter().enumerate() {
            let name = match g.role {
                Role::Budget => "budget".to_string(),
                Role::Counter => "counter".to_string(),
                Role::Grow(m) => format!("grown{m}"),
                Role::Scratch => format!("g{i}"),
            };
            exports.export(&name, ExportKind::Global, i as u32);
        }
        module.section(&exports);

        if let Some(start) = self.start {
            module.section(&StartSection {
                function_index: start,
            });
        }

        if let Some(t) = &self.table
            && !t.elements.is_empty()
        {
            let mut elements = ElementSection::new();
            let offset = if t.table64 {
                ConstExpr::i64_const(0)
            } else {
                ConstExpr::i32_const(0)
            };
            elements.active(
                Some(0),
                &offset,
                Elements::Functions(t.elements.as_slice().into()),
            );
            module.section(&elements);
        }

        let data_count = (self.active_data.len() + self.passive_data.len()) as u32;
        if data_count > 0 {
            module.section(&DataCountSection { count: data_count });
        }

        let mut code = CodeSection::new();
        for body in &bodies {
            code.function(body);
        }
        module.section(&code);

        if data_count > 0 {
            let mut data = DataSection::new();
            for (mem, offset, bytes) in &self.active_data {
                let offset = if self.mems[*mem as usize].mem64 {
                    ConstExpr::i64_const(*offset as i64)
                } else {
                    ConstExpr::i32_const(*offset as i32)
                };
                data.active(*mem, &offset, bytes.iter().copied());
            }
            for bytes in &self.passive_data {
                data.passive(bytes.iter().copied());
            }
            module.section(&data);
        }
        module.finish()
    }
}

/// A function the plan may call, with values that drive its interesting paths.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The export name.
    pub name: String,
    /// Parameter types.
    pub params: Vec<oracles::ValType>,
    /// For each parameter, values worth passing (beyond the boundary values every parameter
    /// gets): addresses near this module's bounds, deltas that make `memory.grow` succeed
    /// or fail.
    pub hints: Vec<Vec<Val>>,
    /// For each parameter, the percentage of calls that take one of its hints (when it has
    /// any) rather than a boundary-biased value.
    pub hint_percent: Vec<u32>,
    /// Relative frequency in the plan.
    pub weight: u32,
}

/// A generated scenario module.
pub struct Scenario {
    /// The module.
    pub wasm: Vec<u8>,
    /// The functions the plan calls.
    pub entries: Vec<Entry>,
    /// Which scenario generator made it.
    pub generator: crate::generate::GeneratorKind,
    /// A one-line description of the knobs.
    pub config: String,
}
