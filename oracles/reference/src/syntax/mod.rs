//! Structure (spec chapter 2): a decoded, validated module as the evaluator consumes it.

mod instr;
mod types;

pub use instr::{BlockType, Catch, CatchKind, ConstExpr, ConstInstr, Instr, MemArg};
pub use types::{FuncType, GlobalType, IndexType, Limits, MemType, RefType, TableType, ValType};

use std::sync::Arc;

/// A module (spec 2.5): its index spaces list imports first, then definitions.
#[derive(Clone, Debug, Default)]
pub struct Module {
    /// The type section.
    pub types: Vec<FuncType>,
    /// Imports, in order.
    pub imports: Vec<Import>,
    /// Defined functions (after the imported ones in the function index space).
    pub funcs: Vec<Func>,
    /// Defined tables.
    pub tables: Vec<TableType>,
    /// Defined memories.
    pub mems: Vec<MemType>,
    /// Defined globals.
    pub globals: Vec<Global>,
    /// Defined tags, as type indices.
    pub tags: Vec<u32>,
    /// Element segments.
    pub elems: Vec<Elem>,
    /// Data segments.
    pub datas: Vec<Data>,
    /// The start function.
    pub start: Option<u32>,
    /// Exports, in order.
    pub exports: Vec<Export>,
}

impl Module {
    /// The number of imports of each kind: functions, tables, memories, globals, tags.
    pub fn imported_counts(&self) -> [u32; 5] {
        let mut n = [0; 5];
        for i in &self.imports {
            n[i.desc.kind() as usize] += 1;
        }
        n
    }

    /// The type index of function `index` of the function index space.
    pub fn func_type_index(&self, index: u32) -> Option<u32> {
        let mut i = index as usize;
        for import in &self.imports {
            if let ImportDesc::Func(t) = import.desc {
                if i == 0 {
                    return Some(t);
                }
                i -= 1;
            }
        }
        self.funcs.get(i).map(|f| f.ty)
    }
}

/// The kind of an importable or exportable item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExternKind {
    /// A function.
    Func = 0,
    /// A table.
    Table = 1,
    /// A memory.
    Memory = 2,
    /// A global.
    Global = 3,
    /// A tag.
    Tag = 4,
}

/// An import (spec 2.5.11).
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    /// The module name.
    pub module: String,
    /// The item name.
    pub name: String,
    /// What is imported.
    pub desc: ImportDesc,
}

/// The type of an import.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ImportDesc {
    /// A function of this type index.
    Func(u32),
    /// A table.
    Table(TableType),
    /// A memory.
    Memory(MemType),
    /// A global.
    Global(GlobalType),
    /// A tag of this type index.
    Tag(u32),
}

impl ImportDesc {
    /// The kind of item imported.
    pub fn kind(&self) -> ExternKind {
        match self {
            ImportDesc::Func(_) => ExternKind::Func,
            ImportDesc::Table(_) => ExternKind::Table,
            ImportDesc::Memory(_) => ExternKind::Memory,
            ImportDesc::Global(_) => ExternKind::Global,
            ImportDesc::Tag(_) => ExternKind::Tag,
        }
    }
}

/// An export (spec 2.5.10).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    /// The export name.
    pub name: String,
    /// The kind of item.
    pub kind: ExternKind,
    /// Its index in the kind's index space.
    pub index: u32,
}

/// A defined function (spec 2.5.3).
#[derive(Clone, Debug, PartialEq)]
pub struct Func {
    /// Its type index.
    pub ty: u32,
    /// Number of parameters.
    pub params: u32,
    /// Number of results.
    pub results: u32,
    /// The declared locals (after the parameters).
    pub locals: Box<[ValType]>,
    /// The body: a structured instruction sequence ending with [`Instr::Return`].
    pub body: Box<[Instr]>,
    /// The label lists of the body's `br_table`s, the default label last.
    pub br_tables: Box<[Box<[u32]>]>,
    /// The catch clauses of the body's `try_table`s.
    pub catch_tables: Box<[Box<[Catch]>]>,
    /// The most operand values (not counting locals) the body has on the stack at once.
    pub max_stack: u32,
}

/// A defined global (spec 2.5.6).
#[derive(Clone, Debug, PartialEq)]
pub struct Global {
    /// Its type.
    pub ty: GlobalType,
    /// Its initializer.
    pub init: ConstExpr,
}

/// An element segment (spec 2.5.7).
#[derive(Clone, Debug, PartialEq)]
pub struct Elem {
    /// The element type.
    pub ty: RefType,
    /// The elements, as constant expressions.
    pub init: Box<[ConstExpr]>,
    /// How the segment is used.
    pub mode: ElemMode,
}

/// The mode of an element segment.
#[derive(Clone, Debug, PartialEq)]
pub enum ElemMode {
    /// Used by `table.init` only.
    Passive,
    /// Copied into a table at instantiation.
    Active {
        /// The table index.
        table: u32,
        /// The offset in the table.
        offset: ConstExpr,
    },
    /// Only declares references for `ref.func`.
    Declarative,
}

/// A data segment (spec 2.5.8).
#[derive(Clone, Debug, PartialEq)]
pub struct Data {
    /// The bytes.
    pub init: Arc<[u8]>,
    /// How the segment is used.
    pub mode: DataMode,
}

/// The mode of a data segment.
#[derive(Clone, Debug, PartialEq)]
pub enum DataMode {
    /// Used by `memory.init` only.
    Passive,
    /// Copied into a memory at instantiation.
    Active {
        /// The memory index.
        mem: u32,
        /// The offset in the memory.
        offset: ConstExpr,
    },
}
