//! The store and its instances (spec 4.2.3 - 4.2.12): functions, tables, memories, globals, tags,
//! segments, exceptions and module instances, all addressed by index.

use super::counters::Counters;
use super::memory::Memory;
use super::value::{
    DataAddr, ElemAddr, ExnAddr, FuncAddr, GlobalAddr, InstAddr, MemAddr, TableAddr, TagAddr, Value,
};
use crate::syntax::{FuncType, GlobalType, Module, TableType};
use std::collections::HashMap;
use std::sync::Arc;

/// A host function: receives its arguments (already type-checked) and returns its results,
/// which must match its type.
pub type HostFunc = Arc<dyn Fn(&[Value]) -> Vec<Value> + Send + Sync>;

/// The identity of a function type interned in a store: two types are equal (spec 3.2 "type
/// equivalence" without recursive types) exactly when their ids are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TypeId(pub u32);

/// The budgets of a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// The deepest call nesting (frames) before [`crate::error::Exhaustion::CallStack`].
    pub max_call_depth: u32,
    /// The most values (operands and locals of every frame) the operand stack may hold before
    /// [`crate::error::Exhaustion::CallStack`].
    pub max_stack_values: usize,
    /// The most bytes a memory may have: a larger declared minimum fails instantiation, a
    /// larger `memory.grow` returns -1.
    pub max_memory_bytes: u64,
    /// The most bytes a non-empty memory may grow to: a larger `memory.grow` of a memory that
    /// is not empty returns -1 (declared sizes and grows of empty memories are bounded by
    /// `max_memory_bytes` alone), as catchall's other engines are configured to do.
    pub max_grow_bytes: u64,
    /// The most elements a table may have, with the same rules.
    pub max_table_elements: u64,
    /// Whether to keep [`Counters`]. Counting never changes behaviour.
    pub count: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_call_depth: 10_000,
            max_stack_values: 1 << 22,
            max_memory_bytes: 16 << 30,
            max_grow_bytes: 1 << 30,
            max_table_elements: 1 << 20,
            count: true,
        }
    }
}

/// A function instance (spec 4.2.6).
#[derive(Clone)]
pub enum FuncInst {
    /// A function defined by a module.
    Wasm {
        /// Its type.
        ty: TypeId,
        /// The module holding its code.
        module: Arc<Module>,
        /// Its index among the module's defined functions.
        index: u32,
        /// The instance it closes over.
        inst: InstAddr,
        /// The initial values of its declared locals.
        locals: Box<[Value]>,
    },
    /// A function provided by the host.
    Host {
        /// Its type.
        ty: TypeId,
        /// Its behaviour.
        func: HostFunc,
    },
}

impl FuncInst {
    /// The function's type.
    pub fn ty(&self) -> TypeId {
        match self {
            FuncInst::Wasm { ty, .. } | FuncInst::Host { ty, .. } => *ty,
        }
    }
}

impl std::fmt::Debug for FuncInst {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FuncInst::Wasm {
                ty, index, inst, ..
            } => write!(f, "Wasm {{ ty: {ty:?}, index: {index}, inst: {inst:?} }}"),
            FuncInst::Host { ty, .. } => write!(f, "Host {{ ty: {ty:?} }}"),
        }
    }
}

/// A table instance (spec 4.2.7).
#[derive(Clone, Debug)]
pub struct Table {
    /// Its type, as declared.
    pub ty: TableType,
    /// Its elements.
    pub elems: Vec<Value>,
}

impl Table {
    /// Grows by `delta` elements initialized to `init` (spec 4.5.3.7 `growtable`), returning the
    /// old size, or `None` past the declared maximum, the index type's range or `limit`.
    pub fn grow(&mut self, delta: u64, init: Value, limit: u64) -> Option<u64> {
        let old = self.elems.len() as u64;
        let new = old.checked_add(delta)?;
        let index_max = match self.ty.index {
            crate::syntax::IndexType::I32 => u64::from(u32::MAX),
            crate::syntax::IndexType::I64 => u64::MAX,
        };
        if new > self.ty.limits.max.unwrap_or(u64::MAX).min(index_max) || new > limit {
            return None;
        }
        self.elems.resize(new as usize, init);
        Some(old)
    }
}

/// A global instance (spec 4.2.9).
#[derive(Clone, Copy, Debug)]
pub struct GlobalInst {
    /// Its type.
    pub ty: GlobalType,
    /// Its value.
    pub value: Value,
}

/// A tag instance (spec 4.2.10, exceptions): its identity is its address.
#[derive(Clone, Copy, Debug)]
pub struct TagInst {
    /// Its type (parameters are the payload, results are empty).
    pub ty: TypeId,
}

/// An exception instance (exceptions proposal): a tag and its payload, allocated in the store so
/// that `exnref` has identity.
#[derive(Clone, Debug)]
pub struct ExnInst {
    /// The tag it was thrown with.
    pub tag: TagAddr,
    /// The payload, in the tag's parameter order.
    pub fields: Box<[Value]>,
}

/// An external value (spec 4.2.13): what imports and exports denote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Extern {
    /// A function.
    Func(FuncAddr),
    /// A table.
    Table(TableAddr),
    /// A memory.
    Memory(MemAddr),
    /// A global.
    Global(GlobalAddr),
    /// A tag.
    Tag(TagAddr),
}

/// A module instance (spec 4.2.5): the module's index spaces mapped to store addresses.
#[derive(Clone, Debug, Default)]
pub struct ModuleInst {
    /// Type index to interned type.
    pub types: Vec<TypeId>,
    /// Function index space.
    pub funcs: Vec<FuncAddr>,
    /// Table index space.
    pub tables: Vec<TableAddr>,
    /// Memory index space.
    pub mems: Vec<MemAddr>,
    /// Global index space.
    pub globals: Vec<GlobalAddr>,
    /// Tag index space.
    pub tags: Vec<TagAddr>,
    /// Element segments.
    pub elems: Vec<ElemAddr>,
    /// Data segments.
    pub datas: Vec<DataAddr>,
    /// Exports, in order.
    pub exports: Vec<(String, Extern)>,
}

/// A control stack entry (spec 4.2.14 "Stack": labels, exception handlers and frames).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ctrl {
    /// A label: branching to it keeps `arity` values, drops the operand stack to `height` and
    /// continues at `cont` (after the block, or at the `loop` instruction itself).
    Label {
        /// Where a branch continues.
        cont: u32,
        /// Operand stack height below the block.
        height: u32,
        /// How many values a branch carries.
        arity: u32,
    },
    /// An exception handler installed by a `try_table`: its catch clauses, and the operand
    /// stack height below the `try_table`.
    Handler {
        /// Index of the clauses in the function's catch tables.
        catches: u32,
        /// Operand stack height below the `try_table`.
        height: u32,
    },
    /// A call frame: where to return to. The callee's own state is in the evaluator's
    /// registers; `ret_func == HOST` marks the frame of a call from the host.
    Frame {
        /// The caller.
        ret_func: u32,
        /// The caller's next instruction.
        ret_pc: u32,
        /// The caller's locals base.
        ret_fp: u32,
    },
}

/// The immutable part of the store during evaluation: code, instances and types.
#[derive(Default)]
pub(crate) struct Code {
    pub(crate) funcs: Vec<FuncInst>,
    pub(crate) instances: Vec<ModuleInst>,
    pub(crate) types: Vec<FuncType>,
}

/// The mutable part of the store during evaluation.
pub(crate) struct Runtime {
    pub(crate) config: Config,
    pub(crate) tables: Vec<Table>,
    pub(crate) mems: Vec<Memory>,
    pub(crate) globals: Vec<GlobalInst>,
    pub(crate) tags: Vec<TagInst>,
    pub(crate) elems: Vec<Box<[Value]>>,
    pub(crate) datas: Vec<Arc<[u8]>>,
    pub(crate) exns: Vec<ExnInst>,
    /// Exception slots freed by [`Runtime::collect_exns`], reused by [`Runtime::alloc_exn`].
    pub(crate) free_exns: Vec<u32>,
    /// The exceptions allocated during the current invocation, candidates for collection.
    pub(crate) young_exns: Vec<u32>,
    pub(crate) counters: Counters,
    pub(crate) fuel: u64,
    /// The operand stack's buffer: values and locals of every frame, up to `sp`. Its length is
    /// its capacity, grown on function entry to what the function can need.
    pub(crate) stack: Vec<Value>,
    /// The operand stack's height.
    pub(crate) sp: usize,
    /// The control stack: labels, handlers and frames.
    pub(crate) ctrl: Vec<Ctrl>,
    /// The number of frames on the control stack.
    pub(crate) depth: u32,
}

/// How many exceptions an invocation may allocate before its garbage is collected when it ends.
const YOUNG_EXNS: usize = 4096;

impl Runtime {
    /// Allocates an exception object, reusing a collected slot when there is one.
    #[inline(never)]
    pub(crate) fn alloc_exn(&mut self, exn: ExnInst) -> ExnAddr {
        let addr = match self.free_exns.pop() {
            Some(i) => {
                self.exns[i as usize] = exn;
                ExnAddr(i)
            }
            None => {
                self.exns.push(exn);
                ExnAddr(self.exns.len() as u32 - 1)
            }
        };
        self.young_exns.push(addr.0);
        addr
    }

    /// Ends an invocation: the exceptions it allocated that nothing the host can reach still
    /// refers to are freed (when there are enough of them to matter).
    ///
    /// The host can reach, after an invocation, only its results, the exception that escaped,
    /// globals, tables, element segments and the operand stack below the invocation; and an
    /// exception's fields only name older exceptions, so only this invocation's exceptions can
    /// be garbage. Earlier ones are never freed (the host may hold them): identities the host
    /// has seen stay valid for the store's lifetime.
    pub(crate) fn collect_exns(&mut self, roots: &[Value]) {
        if self.young_exns.len() < YOUNG_EXNS {
            self.young_exns.clear();
            return;
        }
        let mut young = vec![false; self.exns.len()];
        for &a in &self.young_exns {
            young[a as usize] = true;
        }
        let mut live = vec![false; self.exns.len()];
        let mut work: Vec<u32> = Vec::new();
        let mut visit = |v: &Value, work: &mut Vec<u32>| {
            if let Value::ExnRef(Some(a)) = v
                && young[a.index()]
                && !live[a.index()]
            {
                live[a.index()] = true;
                work.push(a.0);
            }
        };
        let everything = roots
            .iter()
            .chain(&self.stack[..self.sp])
            .chain(self.globals.iter().map(|g| &g.value))
            .chain(self.tables.iter().flat_map(|t| t.elems.iter()))
            .chain(self.elems.iter().flat_map(|e| e.iter()));
        for v in everything {
            visit(v, &mut work);
        }
        while let Some(a) = work.pop() {
            for v in self.exns[a as usize].fields.iter() {
                visit(v, &mut work);
            }
        }
        for &a in &self.young_exns {
            if !live[a as usize] {
                self.exns[a as usize] = ExnInst {
                    tag: TagAddr(u32::MAX),
                    fields: Box::new([]),
                };
                self.free_exns.push(a);
            }
        }
        self.young_exns.clear();
    }
}

/// A store (spec 4.2.3): every instance of every module instantiated in it, and the budgets.
pub struct Store {
    pub(crate) code: Code,
    pub(crate) rt: Runtime,
    type_ids: HashMap<FuncType, TypeId>,
}

impl Default for Store {
    fn default() -> Store {
        Store::new(Config::default())
    }
}

impl Store {
    /// An empty store with unlimited fuel.
    pub fn new(config: Config) -> Store {
        Store {
            code: Code::default(),
            rt: Runtime {
                config,
                tables: Vec::new(),
                mems: Vec::new(),
                globals: Vec::new(),
                tags: Vec::new(),
                elems: Vec::new(),
                datas: Vec::new(),
                exns: Vec::new(),
                free_exns: Vec::new(),
                young_exns: Vec::new(),
                counters: Counters::default(),
                fuel: u64::MAX,
                stack: vec![Value::I32(0); 1024],
                sp: 0,
                ctrl: Vec::with_capacity(256),
                depth: 0,
            },
            type_ids: HashMap::new(),
        }
    }

    /// The store's budgets.
    pub fn config(&self) -> &Config {
        &self.rt.config
    }

    /// Sets the fuel for what runs next (roughly one unit per instruction: charged per function
    /// body on entry and per loop body on each iteration).
    pub fn set_fuel(&mut self, fuel: u64) {
        self.rt.fuel = fuel;
    }

    /// The fuel left.
    pub fn fuel(&self) -> u64 {
        self.rt.fuel
    }

    /// The execution counters.
    pub fn counters(&self) -> &Counters {
        &self.rt.counters
    }

    /// Interns a function type.
    pub fn intern(&mut self, ty: &FuncType) -> TypeId {
        if let Some(&id) = self.type_ids.get(ty) {
            return id;
        }
        let id = TypeId(self.code.types.len() as u32);
        self.code.types.push(ty.clone());
        self.type_ids.insert(ty.clone(), id);
        id
    }

    /// The function type of an interned id.
    pub fn type_of(&self, id: TypeId) -> &FuncType {
        &self.code.types[id.0 as usize]
    }

    /// A function instance.
    pub fn func(&self, f: FuncAddr) -> &FuncInst {
        &self.code.funcs[f.index()]
    }

    /// The type of a function.
    pub fn func_type(&self, f: FuncAddr) -> &FuncType {
        self.type_of(self.func(f).ty())
    }

    /// A module instance.
    pub fn instance(&self, i: InstAddr) -> &ModuleInst {
        &self.code.instances[i.index()]
    }

    /// The export `name` of an instance.
    pub fn export(&self, i: InstAddr, name: &str) -> Option<Extern> {
        self.instance(i)
            .exports
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| *e)
    }

    /// A table instance.
    pub fn table(&self, t: TableAddr) -> &Table {
        &self.rt.tables[t.index()]
    }

    /// A memory instance.
    pub fn memory(&self, m: MemAddr) -> &Memory {
        &self.rt.mems[m.index()]
    }

    /// A global instance.
    pub fn global(&self, g: GlobalAddr) -> &GlobalInst {
        &self.rt.globals[g.index()]
    }

    /// The type of a tag.
    pub fn tag_type(&self, t: TagAddr) -> &FuncType {
        self.type_of(self.rt.tags[t.index()].ty)
    }

    /// An exception instance.
    pub fn exn(&self, e: ExnAddr) -> &ExnInst {
        &self.rt.exns[e.index()]
    }

    /// Allocates a host function (spec 4.5.3.2 `allochostfunc`).
    pub fn alloc_host_func(&mut self, ty: &FuncType, func: HostFunc) -> FuncAddr {
        let ty = self.intern(ty);
        let addr = FuncAddr(self.code.funcs.len() as u32);
        self.code.funcs.push(FuncInst::Host { ty, func });
        addr
    }

    /// Allocates a table of `ty.limits.min` elements set to `init` (spec 4.5.3.3).
    pub fn alloc_table(&mut self, ty: TableType, init: Value) -> TableAddr {
        let addr = TableAddr(self.rt.tables.len() as u32);
        self.rt.tables.push(Table {
            ty,
            elems: vec![init; ty.limits.min as usize],
        });
        addr
    }

    /// Allocates a zeroed memory of its minimum size (spec 4.5.3.4).
    pub fn alloc_memory(&mut self, ty: crate::syntax::MemType) -> MemAddr {
        let addr = MemAddr(self.rt.mems.len() as u32);
        self.rt.mems.push(Memory::new(ty));
        addr
    }

    /// Allocates a global (spec 4.5.3.5).
    pub fn alloc_global(&mut self, ty: GlobalType, value: Value) -> GlobalAddr {
        let addr = GlobalAddr(self.rt.globals.len() as u32);
        self.rt.globals.push(GlobalInst { ty, value });
        addr
    }

    /// Allocates a tag of type `ty` (exceptions: a fresh identity).
    pub fn alloc_tag(&mut self, ty: &FuncType) -> TagAddr {
        let ty = self.intern(ty);
        let addr = TagAddr(self.rt.tags.len() as u32);
        self.rt.tags.push(TagInst { ty });
        addr
    }

    /// Allocates an exception object (what `throw` does), for hosts that pass exceptions in.
    /// The host holds it, so it is never collected.
    pub fn alloc_exn(&mut self, tag: TagAddr, fields: Box<[Value]>) -> ExnAddr {
        let a = self.rt.alloc_exn(ExnInst { tag, fields });
        self.rt.young_exns.pop();
        a
    }

    /// How many exception slots the store holds, live or free for reuse: a measure of the
    /// memory exceptions take.
    pub fn exn_slots(&self) -> usize {
        self.rt.exns.len()
    }

    pub(crate) fn alloc_wasm_func(
        &mut self,
        ty: TypeId,
        module: &Arc<Module>,
        index: u32,
        inst: InstAddr,
    ) -> FuncAddr {
        let locals = module.funcs[index as usize]
            .locals
            .iter()
            .map(|t| Value::default_of(*t))
            .collect();
        let addr = FuncAddr(self.code.funcs.len() as u32);
        self.code.funcs.push(FuncInst::Wasm {
            ty,
            module: module.clone(),
            index,
            inst,
            locals,
        });
        addr
    }
}
