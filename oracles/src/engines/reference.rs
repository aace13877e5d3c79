//! The reference interpreter's adapter: catchall's oracle behind the `Engine` / `Store` traits.
//!
//! Identities are resolved as the wasmtime adapter resolves them: a function reference is
//! `FuncId::Index(i)` when it is function `i` of the observed instance reached through an export,
//! a tag is its index in the observed instance's tag index space, and exception objects are
//! numbered per store by first observation (the reference's exceptions are store objects, so the
//! same object always gets the same id).

use crate::coverage::Coverage;
use crate::digest::MemoryDigest;
use crate::engine::{Compiled, Engine, InstanceId, Limits, Module, Store};
use crate::engines::spectest;
use crate::features::Features;
use crate::module_info::{ItemKind, ModuleInfo};
use crate::outcome::{
    Exhaustion, GlobalState, IndexType, MemoryState, ModuleError, Outcome, Snapshot, TableState,
    TagId, Thrown, Trap, TrapKind,
};
use crate::rejection;
use crate::value::{ExnId, FuncId, Val, ValType};
use reference::exec::{self as rx, Extern};
use reference::syntax as rs;

use std::collections::HashMap;
use std::sync::Arc;

/// The reference interpreter.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReferenceEngine;

impl ReferenceEngine {
    /// Creates the engine.
    pub fn new() -> ReferenceEngine {
        ReferenceEngine
    }
}

/// This engine's compiled modules.
type ReferenceModule = Compiled<Arc<rs::Module>>;

impl Engine for ReferenceEngine {
    fn name(&self) -> &str {
        "reference"
    }

    fn features(&self) -> Features {
        Features::CORE
            | Features::GC_TYPES
            | Features::CONST_GLOBAL_GET
            | Features::EXCEPTIONS
            | Features::MEMORY64
            | Features::MULTI_MEMORY
            | Features::TAIL_CALL
            | Features::EXTENDED_CONST
    }

    fn spec_messages(&self) -> bool {
        true
    }

    fn version(&self) -> String {
        format!("catchall-reference {}", reference::VERSION)
    }

    fn compile(&self, wasm: &[u8]) -> Result<Box<dyn Module>, ModuleError> {
        // The reference's decoder is the judge of the rule every adapter applies
        // (`crate::rejection`): its verdict needs no second opinion.
        let module = reference::decode(wasm).map_err(rejection::from_decode_error)?;
        let info = ModuleInfo::parse(wasm)?;
        Ok(Box::new(ReferenceModule {
            module: Arc::new(module),
            info,
        }))
    }

    fn new_store(&self, limits: Limits) -> Box<dyn Store> {
        let config = rx::Config {
            max_memory_bytes: limits.max_memory_bytes,
            max_grow_bytes: limits.max_grow_bytes,
            max_table_elements: limits.max_table_elements,
            ..rx::Config::default()
        };
        Box::new(ReferenceStore {
            store: rx::Store::new(config),
            limits,
            instances: Vec::new(),
            registry: HashMap::new(),
            spectest: None,
            exns: Vec::new(),
            exn_ids: HashMap::new(),
            pending: None,
        })
    }
}

struct InstanceData {
    addr: rx::InstAddr,
    info: ModuleInfo,
    /// Function address to function index, built on first use from the exports.
    funcs: Option<HashMap<rx::FuncAddr, u32>>,
}

struct ReferenceStore {
    store: rx::Store,
    limits: Limits,
    instances: Vec<InstanceData>,
    registry: HashMap<String, InstanceId>,
    spectest: Option<HashMap<&'static str, Extern>>,
    /// Exception objects the host has seen: index `i` is `ExnId(i + 1)`.
    exns: Vec<(rx::ExnAddr, Thrown)>,
    exn_ids: HashMap<rx::ExnAddr, ExnId>,
    /// The instance being instantiated (and its module's info) while its failure is reported.
    pending: Option<(rx::InstAddr, ModuleInfo)>,
}

impl ReferenceStore {
    fn spectest_export(&mut self, name: &str) -> Option<Extern> {
        if self.spectest.is_none() {
            self.spectest = Some(make_spectest(&mut self.store));
        }
        self.spectest.as_ref()?.get(name).copied()
    }

    fn resolve_import(&mut self, module: &str, name: &str) -> Option<Extern> {
        if module == spectest::MODULE {
            return self.spectest_export(name);
        }
        let id = *self.registry.get(module)?;
        let addr = self.instances[id.0 as usize].addr;
        self.store.export(addr, name)
    }

    fn export(&self, instance: InstanceId, name: &str) -> Option<Extern> {
        self.store
            .export(self.instances[instance.0 as usize].addr, name)
    }

    /// Maps why the interpreter stopped to an outcome; `observer` resolves identities.
    fn stop_outcome<T>(
        &mut self,
        stop: reference::Stop,
        observer: Option<InstanceId>,
    ) -> Outcome<T> {
        match stop {
            reference::Stop::Trap(t) => Outcome::Trap(Trap {
                kind: trap_kind(t),
                message: t.message().to_string(),
            }),
            reference::Stop::Exception(a) => {
                let id = self.observe_exn(a, observer);
                Outcome::Exception(self.exns[id.0 as usize - 1].1.clone())
            }
            reference::Stop::Exhaustion(reference::Exhaustion::CallStack) => {
                Outcome::Exhaustion(Exhaustion::CallStack)
            }
            reference::Stop::Exhaustion(reference::Exhaustion::Fuel) => {
                Outcome::Exhaustion(Exhaustion::Fuel)
            }
        }
    }

    /// Records an exception object the host saw, returning its identity.
    fn observe_exn(&mut self, a: rx::ExnAddr, observer: Option<InstanceId>) -> ExnId {
        if let Some(&id) = self.exn_ids.get(&a) {
            return id;
        }
        let id = ExnId(self.exns.len() as u32 + 1);
        self.exn_ids.insert(a, id);
        // Reserve the id before reading the payload, which may hold further exceptions.
        self.exns.push((
            a,
            Thrown {
                tag: TagId {
                    index: None,
                    name: None,
                },
                payload: Vec::new(),
                id,
            },
        ));
        let exn = self.store.exn(a).clone();
        let tag = self.tag_id(exn.tag, observer);
        let payload = exn
            .fields
            .iter()
            .map(|v| self.observe_val(*v, observer))
            .collect();
        let entry = &mut self.exns[id.0 as usize - 1].1;
        entry.tag = tag;
        entry.payload = payload;
        id
    }

    /// Resolves a tag against the observed instance's tag index space (through its exports),
    /// or, while a failed instantiation is reported, against the instance being instantiated.
    fn tag_id(&self, tag: rx::TagAddr, observer: Option<InstanceId>) -> TagId {
        if let Some(inst) = observer {
            let data = &self.instances[inst.0 as usize];
            for index in 0..data.info.count(ItemKind::Tag) {
                let Some(name) = data.info.any_export(ItemKind::Tag, index) else {
                    continue;
                };
                if self.store.export(data.addr, name) == Some(Extern::Tag(tag)) {
                    return TagId {
                        index: Some(index),
                        name: data
                            .info
                            .export_name(ItemKind::Tag, index)
                            .map(str::to_string),
                    };
                }
            }
        }
        if let Some((addr, info)) = &self.pending {
            let tags = &self.store.instance(*addr).tags;
            if let Some(index) = tags.iter().position(|t| *t == tag) {
                let index = index as u32;
                return TagId {
                    index: Some(index),
                    name: info.export_name(ItemKind::Tag, index).map(str::to_string),
                };
            }
        }
        TagId {
            index: None,
            name: None,
        }
    }

    fn func_id(&mut self, f: rx::FuncAddr, inst: InstanceId) -> FuncId {
        let data = &self.instances[inst.0 as usize];
        if data.funcs.is_none() {
            let mut map = HashMap::new();
            for e in data
                .info
                .exports
                .iter()
                .filter(|e| e.kind == ItemKind::Func)
            {
                if let Some(Extern::Func(a)) = self.store.export(data.addr, &e.name) {
                    map.entry(a).or_insert(e.index);
                }
            }
            self.instances[inst.0 as usize].funcs = Some(map);
        }
        match self.instances[inst.0 as usize]
            .funcs
            .as_ref()
            .and_then(|m| m.get(&f))
        {
            Some(&i) => FuncId::Index(i),
            None => FuncId::Foreign,
        }
    }

    /// Converts an interpreter value, resolving identities against `observer`.
    fn observe_val(&mut self, v: rx::Value, observer: Option<InstanceId>) -> Val {
        match v {
            rx::Value::I32(x) => Val::I32(x),
            rx::Value::I64(x) => Val::I64(x),
            rx::Value::F32(x) => Val::F32(x),
            rx::Value::F64(x) => Val::F64(x),
            rx::Value::FuncRef(None) => Val::FuncRef(None),
            rx::Value::FuncRef(Some(f)) => Val::FuncRef(Some(match observer {
                Some(i) => self.func_id(f, i),
                None => FuncId::Foreign,
            })),
            rx::Value::ExternRef(x) => Val::ExternRef(x),
            rx::Value::ExnRef(None) => Val::ExnRef(None),
            rx::Value::ExnRef(Some(a)) => Val::ExnRef(Some(self.observe_exn(a, observer))),
        }
    }

    /// Converts an argument; `Err` names why it cannot be passed.
    fn arg_value(&self, v: &Val, inst: InstanceId) -> Result<rx::Value, String> {
        Ok(match *v {
            Val::I32(x) => rx::Value::I32(x),
            Val::I64(x) => rx::Value::I64(x),
            Val::F32(x) => rx::Value::F32(x),
            Val::F64(x) => rx::Value::F64(x),
            Val::V128(_) => return Err("the reference interpreter has no v128".into()),
            Val::FuncRef(None) => rx::Value::FuncRef(None),
            Val::FuncRef(Some(FuncId::Index(i))) => {
                let data = &self.instances[inst.0 as usize];
                let name = data
                    .info
                    .any_export(ItemKind::Func, i)
                    .ok_or_else(|| format!("function {i} is not exported"))?;
                match self.store.export(data.addr, name) {
                    Some(Extern::Func(f)) => rx::Value::FuncRef(Some(f)),
                    _ => return Err(format!("export {name:?} is not a function")),
                }
            }
            Val::FuncRef(Some(FuncId::Foreign)) => {
                return Err("cannot pass a foreign function reference".into());
            }
            Val::ExternRef(x) => rx::Value::ExternRef(x),
            Val::ExnRef(None) => rx::Value::ExnRef(None),
            Val::ExnRef(Some(ExnId(n))) => {
                let (a, _) = self
                    .exns
                    .get((n as usize).wrapping_sub(1))
                    .ok_or_else(|| format!("no exception #{n} was observed"))?;
                rx::Value::ExnRef(Some(*a))
            }
        })
    }
}

impl Store for ReferenceStore {
    fn instantiate(&mut self, module: &dyn Module) -> Result<Outcome<InstanceId>, ModuleError> {
        let module = ReferenceModule::of(module);
        let mut imports = Vec::with_capacity(module.module.imports.len());
        for import in &module.module.imports {
            match self.resolve_import(&import.module, &import.name) {
                Some(e) => imports.push(e),
                None => {
                    return Err(ModuleError::Unlinkable(format!(
                        "unknown import {}::{}",
                        import.module, import.name
                    )));
                }
            }
        }
        self.store.set_fuel(self.limits.fuel);
        match self.store.instantiate(&module.module, &imports) {
            Ok(addr) => {
                let id = InstanceId(self.instances.len() as u32);
                self.instances.push(InstanceData {
                    addr,
                    info: module.info.clone(),
                    funcs: None,
                });
                Ok(Outcome::Return(id))
            }
            Err(reference::InstantiateError::Unlinkable(m)) => Err(ModuleError::Unlinkable(m)),
            Err(reference::InstantiateError::Resource(m)) => {
                Ok(Outcome::Exhaustion(Exhaustion::Resource(m)))
            }
            Err(reference::InstantiateError::Stopped { instance, stop }) => {
                self.pending = Some((instance, module.info.clone()));
                let outcome = self.stop_outcome(stop, None);
                self.pending = None;
                Ok(outcome)
            }
        }
    }

    fn register(&mut self, name: &str, instance: InstanceId) {
        self.registry.insert(name.to_string(), instance);
    }

    fn call(&mut self, instance: InstanceId, func: &str, args: &[Val]) -> Outcome<Vec<Val>> {
        let Some(Extern::Func(f)) = self.export(instance, func) else {
            return Outcome::Crash(format!("no exported function {func:?}"));
        };
        let params = self.store.func_type(f).params.clone();
        if params.len() != args.len() {
            return Outcome::Crash(format!(
                "{func} takes {} arguments, {} given",
                params.len(),
                args.len()
            ));
        }
        let mut values = Vec::with_capacity(args.len());
        for (a, t) in args.iter().zip(params.iter()) {
            match self.arg_value(a, instance) {
                Ok(v) if v.has_type(*t) => values.push(v),
                Ok(_) => {
                    return Outcome::Crash(format!("{func}: argument {a} is not of type {t}"));
                }
                Err(e) => return Outcome::Crash(e),
            }
        }
        self.store.set_fuel(self.limits.fuel);
        match self.store.invoke(f, &values) {
            Ok(results) => Outcome::Return(
                results
                    .into_iter()
                    .map(|v| self.observe_val(v, Some(instance)))
                    .collect(),
            ),
            Err(stop) => self.stop_outcome(stop, Some(instance)),
        }
    }

    fn global(&mut self, instance: InstanceId, name: &str) -> Option<Val> {
        let Some(Extern::Global(g)) = self.export(instance, name) else {
            return None;
        };
        let v = self.store.global(g).value;
        Some(self.observe_val(v, Some(instance)))
    }

    fn snapshot(&mut self, instance: InstanceId) -> Snapshot {
        let info = self.instances[instance.0 as usize].info.clone();
        let mut snap = Snapshot::default();
        for index in 0..info.count(ItemKind::Memory) {
            let Some(name) = info.any_export(ItemKind::Memory, index) else {
                continue;
            };
            let Some(Extern::Memory(m)) = self.export(instance, name) else {
                continue;
            };
            let mem = self.store.memory(m);
            let mut digest = MemoryDigest::new();
            mem.for_each_present(|at, bytes| digest.update(at, bytes));
            snap.memories.push(MemoryState {
                index,
                index_type: index_type(mem.ty().index),
                pages: mem.size_pages(),
                digest: digest.finish(),
            });
        }
        for index in 0..info.count(ItemKind::Global) {
            let Some(name) = info.any_export(ItemKind::Global, index) else {
                continue;
            };
            if let Some(value) = self.global(instance, name) {
                snap.globals.push(GlobalState { index, value });
            }
        }
        for index in 0..info.count(ItemKind::Table) {
            let Some(name) = info.any_export(ItemKind::Table, index) else {
                continue;
            };
            let Some(Extern::Table(t)) = self.export(instance, name) else {
                continue;
            };
            let table = self.store.table(t);
            let ty = table.ty.index;
            let elems = table.elems.clone();
            let elements: Vec<Val> = elems
                .into_iter()
                .map(|v| self.observe_val(v, Some(instance)))
                .collect();
            snap.tables.push(TableState {
                index,
                index_type: index_type(ty),
                size: elements.len() as u64,
                elements,
            });
        }
        snap.exceptions = self.exns.iter().map(|(_, t)| t.clone()).collect();
        snap
    }

    fn memory_contents(&mut self, instance: InstanceId, index: u32) -> Option<Vec<u8>> {
        let name = self.instances[instance.0 as usize]
            .info
            .any_export(ItemKind::Memory, index)?
            .to_string();
        let Some(Extern::Memory(m)) = self.export(instance, &name) else {
            return None;
        };
        Some(self.store.memory(m).to_vec())
    }

    fn coverage(&self) -> Option<Coverage> {
        let c = self.store.counters();
        Some(Coverage {
            thrown: c.thrown,
            throw_refs: c.throw_refs,
            caught: c.caught,
            caught_across_frames: c.caught_across_frames,
            frames_unwound: c.frames_unwound,
            caught_by_kind: c.caught_by_kind,
            uncaught: c.uncaught,
            mem32_accesses: c.mem32_accesses,
            mem64_accesses: c.mem64_accesses,
            mem64_near_bound: c.mem64_near_bound,
            mem64_high: c.mem64_high,
            grow32: c.grow32,
            grow64: c.grow64,
            grow_failures: c.grow_failures,
        })
    }
}

fn index_type(t: rs::IndexType) -> IndexType {
    match t {
        rs::IndexType::I32 => IndexType::I32,
        rs::IndexType::I64 => IndexType::I64,
    }
}

/// Maps the reference's traps onto catchall's kinds; the message stays the spec's text.
fn trap_kind(t: reference::Trap) -> TrapKind {
    use reference::Trap as R;
    match t {
        R::Unreachable => TrapKind::Unreachable,
        R::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        R::TableOutOfBounds | R::UndefinedElement => TrapKind::TableOutOfBounds,
        R::UninitializedElement => TrapKind::IndirectCallNull,
        R::IndirectCallTypeMismatch => TrapKind::IndirectCallBadSignature,
        R::IntegerDivideByZero => TrapKind::IntegerDivideByZero,
        R::IntegerOverflow => TrapKind::IntegerOverflow,
        R::InvalidConversionToInteger => TrapKind::BadConversionToInteger,
        R::NullExceptionReference => TrapKind::NullReference,
    }
}

fn val_type(t: ValType) -> rs::ValType {
    match t {
        ValType::I32 => rs::ValType::I32,
        ValType::I64 => rs::ValType::I64,
        ValType::F32 => rs::ValType::F32,
        ValType::F64 => rs::ValType::F64,
        ValType::V128 => unreachable!("spectest has no v128 items"),
        ValType::FuncRef => rs::ValType::Ref(rs::RefType::Func),
        ValType::ExternRef => rs::ValType::Ref(rs::RefType::Extern),
        ValType::ExnRef => rs::ValType::Ref(rs::RefType::Exn),
    }
}

/// Builds the `spectest` host module's items in a store.
fn make_spectest(store: &mut rx::Store) -> HashMap<&'static str, Extern> {
    let mut items = HashMap::new();
    for (name, params) in spectest::PRINT_FUNCS {
        let ty = rs::FuncType {
            params: params.iter().map(|t| val_type(*t)).collect(),
            results: Box::new([]),
        };
        let f = store.alloc_host_func(&ty, Arc::new(|_: &[rx::Value]| Vec::new()));
        items.insert(*name, Extern::Func(f));
    }
    for (name, value) in spectest::globals() {
        let (ty, v) = match value {
            Val::I32(x) => (rs::ValType::I32, rx::Value::I32(x)),
            Val::I64(x) => (rs::ValType::I64, rx::Value::I64(x)),
            Val::F32(x) => (rs::ValType::F32, rx::Value::F32(x)),
            Val::F64(x) => (rs::ValType::F64, rx::Value::F64(x)),
            _ => continue,
        };
        let g = store.alloc_global(rs::GlobalType { ty, mutable: false }, v);
        items.insert(name, Extern::Global(g));
    }
    for (name, index) in [
        ("table", rs::IndexType::I32),
        ("table64", rs::IndexType::I64),
    ] {
        let ty = rs::TableType {
            index,
            limits: rs::Limits {
                min: spectest::TABLE_MIN,
                max: Some(spectest::TABLE_MAX),
            },
            elem: rs::RefType::Func,
        };
        let t = store.alloc_table(ty, rx::Value::FuncRef(None));
        items.insert(name, Extern::Table(t));
    }
    let m = store.alloc_memory(rs::MemType {
        index: rs::IndexType::I32,
        limits: rs::Limits {
            min: spectest::MEMORY_MIN,
            max: Some(spectest::MEMORY_MAX),
        },
    });
    items.insert("memory", Extern::Memory(m));
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineKind;

    fn compile(engine: &dyn Engine, wat: &str) -> Box<dyn Module> {
        engine
            .compile(&wat::parse_str(wat).unwrap())
            .expect("the test module compiles")
    }

    fn setup(wat: &str) -> (Box<dyn Store>, InstanceId) {
        let engine = ReferenceEngine::new();
        let module = compile(&engine, wat);
        instantiate(&engine, &*module)
    }

    /// Like [`setup`], with every item exported as the campaign does ([`crate::expose`]).
    fn setup_exposed(wat: &str) -> (Box<dyn Store>, InstanceId) {
        let engine = ReferenceEngine::new();
        let wasm = crate::expose::expose(&wat::parse_str(wat).unwrap()).unwrap();
        let module = engine.compile(&wasm).unwrap();
        instantiate(&engine, &*module)
    }

    fn instantiate(engine: &ReferenceEngine, module: &dyn Module) -> (Box<dyn Store>, InstanceId) {
        let mut store = engine.new_store(Limits::default());
        let Ok(Outcome::Return(id)) = store.instantiate(module) else {
            panic!("the test module instantiates")
        };
        (store, id)
    }

    #[test]
    fn identifies_itself() {
        let e = ReferenceEngine::new();
        assert_eq!(e.name(), "reference");
        assert!(e.spec_messages());
        assert!(e.version().starts_with("catchall-reference "));
        let f = e.features();
        for p in [
            Features::CORE,
            Features::EXCEPTIONS,
            Features::MEMORY64,
            Features::MULTI_MEMORY,
            Features::TAIL_CALL,
            Features::EXTENDED_CONST,
            Features::GC_TYPES,
            Features::CONST_GLOBAL_GET,
        ] {
            assert!(f.contains(p));
        }
        assert!(!f.contains(Features::SIMD));
        assert_eq!(EngineKind::Reference.build().unwrap().name(), "reference");
    }

    #[test]
    fn compile_errors_are_classified() {
        let e = ReferenceEngine::new();
        assert!(matches!(
            e.compile(b"\0asm"),
            Err(ModuleError::Malformed(_))
        ));
        let invalid = wat::parse_str("(module (func (result i32)))").unwrap();
        assert!(matches!(e.compile(&invalid), Err(ModuleError::Invalid(_))));
        let simd = wat::parse_str("(module (func (result v128) (v128.const i64x2 0 0)))").unwrap();
        match e.compile(&simd) {
            Err(ModuleError::Unsupported(m)) => assert!(m.starts_with("simd"), "{m}"),
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("SIMD compiled"),
        }
    }

    #[test]
    fn traps_keep_the_spec_message_and_map_to_kinds() {
        let (mut store, id) = setup(
            r#"(module
              (type $v (func))
              (table 1 funcref)
              (func (export "undefined") (call_indirect (type $v) (i32.const 5)))
              (func (export "null") (throw_ref (ref.null exn)))
              (func (export "div") (result i32) (i32.div_s (i32.const 1) (i32.const 0))))"#,
        );
        let trap = |o: Outcome<Vec<Val>>| match o {
            Outcome::Trap(t) => (t.kind, t.message),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            trap(store.call(id, "undefined", &[])),
            (TrapKind::TableOutOfBounds, "undefined element".into())
        );
        assert_eq!(
            trap(store.call(id, "null", &[])),
            (TrapKind::NullReference, "null exception reference".into())
        );
        assert_eq!(
            trap(store.call(id, "div", &[])),
            (
                TrapKind::IntegerDivideByZero,
                "integer divide by zero".into()
            )
        );
    }

    const EXN: &str = r#"(module
      (tag $e (export "e") (param i32))
      (tag $f (param exnref))
      (func (export "throw") (param i32) (throw $e (local.get 0)))
      (func (export "catch") (param i32) (result exnref)
        (block $h (result exnref)
          (try_table (catch_all_ref $h) (throw $e (local.get 0)))
          (unreachable)))
      (func (export "rethrow") (param exnref) (throw_ref (local.get 0)))
      (func (export "wrap") (param exnref) (throw $f (local.get 0))))"#;

    #[test]
    fn exceptions_are_numbered_by_first_observation() {
        let (mut store, id) = setup_exposed(EXN);
        let e = TagId {
            index: Some(0),
            name: Some("e".into()),
        };
        let Outcome::Exception(t) = store.call(id, "throw", &[Val::I32(5)]) else {
            panic!()
        };
        assert_eq!(
            t,
            Thrown {
                tag: e.clone(),
                payload: vec![Val::I32(5)],
                id: ExnId(1)
            }
        );
        let Outcome::Return(r) = store.call(id, "catch", &[Val::I32(6)]) else {
            panic!()
        };
        assert_eq!(r, vec![Val::ExnRef(Some(ExnId(2)))]);
        // The same object thrown again keeps its identity.
        let Outcome::Exception(t) = store.call(id, "rethrow", &r) else {
            panic!()
        };
        assert_eq!(t.id, ExnId(2));
        assert_eq!(t.payload, vec![Val::I32(6)]);
        // An exception carrying an exception: the tag without an export of its own resolves to
        // its index only (it is reachable through the synthetic export).
        let Outcome::Exception(t) = store.call(id, "wrap", &r) else {
            panic!()
        };
        assert_eq!(t.id, ExnId(3));
        assert_eq!(
            t.tag,
            TagId {
                index: Some(1),
                name: None
            }
        );
        assert_eq!(t.payload, vec![Val::ExnRef(Some(ExnId(2)))]);
        let snap = store.snapshot(id);
        assert_eq!(
            snap.exceptions.iter().map(|t| t.id).collect::<Vec<_>>(),
            vec![ExnId(1), ExnId(2), ExnId(3)]
        );
        assert_eq!(snap.exceptions[1].payload, vec![Val::I32(6)]);
        let c = store.coverage().unwrap();
        assert_eq!((c.thrown, c.throw_refs, c.uncaught), (4, 1, 3));
        assert_eq!(
            store.call(id, "rethrow", &[Val::ExnRef(Some(ExnId(9)))]),
            Outcome::Crash("no exception #9 was observed".into())
        );
    }

    #[test]
    fn an_exception_from_the_start_function_resolves_against_the_module() {
        let engine = ReferenceEngine::new();
        let module = compile(
            &engine,
            r#"(module (tag (param i64)) (tag $e (export "boom") (param i32))
                 (func $s (throw $e (i32.const 9))) (start $s))"#,
        );
        let mut store = engine.new_store(Limits::default());
        let Ok(Outcome::Exception(t)) = store.instantiate(&*module) else {
            panic!()
        };
        assert_eq!(
            t.tag,
            TagId {
                index: Some(1),
                name: Some("boom".into())
            }
        );
        assert_eq!(t.payload, vec![Val::I32(9)]);
    }

    #[test]
    fn function_references_resolve_through_exports() {
        let (mut store, id) = setup(
            r#"(module
              (func $hidden)
              (func $shown (export "shown"))
              (elem declare func $hidden $shown)
              (func (export "refs") (result funcref funcref funcref)
                (ref.func $shown) (ref.func $hidden) (ref.null func))
              (func (export "is-shown") (param funcref) (result i32)
                (ref.is_null (local.get 0))))"#,
        );
        assert_eq!(
            store.call(id, "refs", &[]),
            Outcome::Return(vec![
                Val::FuncRef(Some(FuncId::Index(1))),
                Val::FuncRef(Some(FuncId::Foreign)),
                Val::FuncRef(None)
            ])
        );
        assert_eq!(
            store.call(id, "is-shown", &[Val::FuncRef(Some(FuncId::Index(1)))]),
            Outcome::Return(vec![Val::I32(0)])
        );
        assert!(matches!(
            store.call(id, "is-shown", &[Val::FuncRef(Some(FuncId::Index(0)))]),
            Outcome::Crash(_)
        ));
        assert!(matches!(
            store.call(id, "is-shown", &[Val::I32(0)]),
            Outcome::Crash(_)
        ));
    }

    #[test]
    fn limits_apply_as_documented() {
        let engine = ReferenceEngine::new();
        let limits = Limits {
            fuel: 1000,
            max_memory_bytes: 2 << 16,
            max_grow_bytes: 2 << 16,
            max_table_elements: 4,
        };
        let big = compile(&engine, "(module (memory i64 3))");
        let mut store = engine.new_store(limits);
        assert!(matches!(
            store.instantiate(&*big),
            Ok(Outcome::Exhaustion(Exhaustion::Resource(_)))
        ));
        let table = compile(&engine, "(module (table 5 funcref))");
        assert!(matches!(
            store.instantiate(&*table),
            Ok(Outcome::Exhaustion(Exhaustion::Resource(_)))
        ));
        let m = compile(
            &engine,
            r#"(module (memory i64 1) (table 1 funcref)
                 (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
                 (func (export "tgrow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0)))
                 (func (export "spin") (loop (br 0))))"#,
        );
        let Ok(Outcome::Return(id)) = store.instantiate(&*m) else {
            panic!()
        };
        assert_eq!(
            store.call(id, "grow", &[Val::I64(2)]),
            Outcome::Return(vec![Val::I64(-1)])
        );
        assert_eq!(
            store.call(id, "grow", &[Val::I64(1)]),
            Outcome::Return(vec![Val::I64(1)])
        );
        assert_eq!(
            store.call(id, "tgrow", &[Val::I32(4)]),
            Outcome::Return(vec![Val::I32(-1)])
        );
        assert_eq!(
            store.call(id, "tgrow", &[Val::I32(3)]),
            Outcome::Return(vec![Val::I32(1)])
        );
        // Fuel is per step: every call gets the full budget again.
        for _ in 0..2 {
            assert_eq!(
                store.call(id, "spin", &[]),
                Outcome::Exhaustion(Exhaustion::Fuel)
            );
        }
        assert_eq!(
            store.call(id, "grow", &[Val::I64(0)]),
            Outcome::Return(vec![Val::I64(2)])
        );
    }

    #[test]
    fn imports_link_against_spectest_and_registered_instances() {
        let engine = ReferenceEngine::new();
        let mut store = engine.new_store(Limits::default());
        let a = compile(
            &engine,
            r#"(module
              (import "spectest" "print_i32" (func $p (param i32)))
              (import "spectest" "global_i32" (global $g i32))
              (import "spectest" "memory" (memory 1 2))
              (import "spectest" "table" (table 10 funcref))
              (import "spectest" "table64" (table i64 10 funcref))
              (func (export "f") (result i32) (call $p (i32.const 1)) (global.get $g)))"#,
        );
        let Ok(Outcome::Return(ia)) = store.instantiate(&*a) else {
            panic!()
        };
        assert_eq!(
            store.call(ia, "f", &[]),
            Outcome::Return(vec![Val::I32(666)])
        );
        store.register("a", ia);
        let b = compile(
            &engine,
            r#"(module (import "a" "f" (func $f (result i32))) (func (export "g") (result i32) (call $f)))"#,
        );
        let Ok(Outcome::Return(ib)) = store.instantiate(&*b) else {
            panic!()
        };
        assert_eq!(
            store.call(ib, "g", &[]),
            Outcome::Return(vec![Val::I32(666)])
        );
        let wrong = compile(&engine, r#"(module (import "a" "f" (func (param i32))))"#);
        match store.instantiate(&*wrong) {
            Err(ModuleError::Unlinkable(m)) => assert!(m.contains("incompatible import type")),
            other => panic!("{other:?}"),
        }
        let unknown = compile(&engine, r#"(module (import "a" "nope" (func)))"#);
        assert!(matches!(
            store.instantiate(&*unknown),
            Err(ModuleError::Unlinkable(_))
        ));
    }

    /// Snapshots of the reference and of wasmtime agree, digests included, for memories of
    /// both index types, one of them large enough to have sparse pages.
    #[test]
    fn snapshots_agree_with_wasmtime() {
        let wat = r#"(module
          (memory $small (export "small") 1)
          (memory $big (export "big") i64 300 400)
          (global (export "g") (mut i64) (i64.const 7))
          (table (export "t") 3 funcref)
          (func $f (export "f"))
          (elem (i32.const 1) func $f)
          (data (memory $small) (i32.const 100) "hello")
          (func (export "poke") (param i64 i64)
            (i64.store $big (local.get 0) (local.get 1))
            (global.set 0 (local.get 1)))
          (func (export "grow") (result i64) (memory.grow $big (i64.const 1))))"#;
        let wasm = crate::expose::expose(&wat::parse_str(wat).unwrap()).unwrap();
        let mut snaps = Vec::new();
        for engine in [
            Box::new(ReferenceEngine::new()) as Box<dyn Engine>,
            EngineKind::Cranelift.build().unwrap(),
        ] {
            let module = engine.compile(&wasm).unwrap();
            let mut store = engine.new_store(Limits::default());
            let Ok(Outcome::Return(id)) = store.instantiate(&*module) else {
                panic!()
            };
            store.call(id, "poke", &[Val::I64(290 << 16), Val::I64(0x1234)]);
            store.call(id, "poke", &[Val::I64(8), Val::I64(-1)]);
            store.call(id, "grow", &[]);
            store.call(id, "poke", &[Val::I64(300 << 16), Val::I64(5)]);
            let contents = store.memory_contents(id, 1).unwrap();
            assert_eq!(contents.len(), 301 << 16);
            assert_eq!(contents[(290 << 16) + 1], 0x12);
            snaps.push(store.snapshot(id));
        }
        assert_eq!(snaps[0], snaps[1]);
        assert_eq!(snaps[0].memories.len(), 2);
        assert_eq!(snaps[0].memories[1].pages, 301);
        assert_eq!(
            snaps[0].tables[0].elements,
            vec![
                Val::FuncRef(None),
                Val::FuncRef(Some(FuncId::Index(0))),
                Val::FuncRef(None)
            ]
        );
    }
}
