//! wasmtime adapters: Cranelift (optimizing, explicit bounds checks, unoptimized), Pulley and
//! Winch, each a fixed `wasmtime::Config` behind the `Engine` / `Store` traits.
//!
//! Exceptions that escape to the host are observed for real: on `ThrownException` the pending
//! exception object is taken from the store and its tag and fields are read.

use crate::engine::{Compiled, Engine, EngineError, EngineKind, InstanceId, Limits, Module, Store};
use crate::engines::spectest;
use crate::features::Features;
use crate::module_info::{ItemKind, ModuleInfo};
use crate::outcome::{
    Exhaustion, GlobalState, IndexType, MemoryState, ModuleError, Outcome, Snapshot, TableState,
    TagId, Thrown, Trap, TrapKind,
};
use crate::rejection::{self, Promise, Rejection};
use crate::value::{ExnId, FuncId, Val};

use std::collections::HashMap;
use wasmtime::{
    AsContextMut, Config, ExnRef, Extern, ExternRef, Func, OptLevel, OwnedRooted, Ref,
    ResourceLimiter, Rooted, Strategy, ThrownException,
};

/// The wasmtime version these adapters are built against.
pub const WASMTIME_VERSION: &str = "48.0.8";

/// A wasmtime engine in one of catchall's configurations.
pub struct WasmtimeEngine {
    kind: EngineKind,
    engine: wasmtime::Engine,
    features: Features,
}

impl WasmtimeEngine {
    /// Creates the engine for `kind`, which must be a wasmtime configuration.
    pub fn new(kind: EngineKind) -> Result<WasmtimeEngine, EngineError> {
        let mut config = Config::new();
        // Fuel bounds every step deterministically; backtraces are not observed, so they are
        // not captured (capturing one costs more than a whole throw).
        config.consume_fuel(true);
        // wasmtime 48 charges bulk operations per byte / element *before* their bounds check
        // (bytecodealliance/wasmtime#14161, and #14047 for `table.grow`; deferred charging is
        // #14213, not in 48.0.8), so an out-of-bounds `memory.fill` of 2^64 - 1 bytes ends in
        // "out of fuel" instead of the trap the spec requires, and a `table.grow` that must
        // return -1 runs out of fuel. Charging them only their flat cost (one unit, as the other
        // engines do) keeps those steps comparable; their work stays bounded by
        // `Limits::max_memory_bytes` / `max_table_elements`.
        let mut cost = wasmtime::OperatorCost::new();
        let v = &mut cost.variable;
        v.memory_copy_per_byte = 0;
        v.memory_fill_per_byte = 0;
        v.memory_init_per_byte = 0;
        v.table_copy_per_element = 0;
        v.table_fill_per_element = 0;
        v.table_init_per_element = 0;
        v.table_grow_per_element = 0;
        config.operator_cost(cost);
        config.wasm_backtrace_max_frames(None);
        config.wasm_multi_memory(true);
        config.wasm_memory64(true);
        config.wasm_extended_const(true);
        config.wasm_simd(true);
        config.wasm_relaxed_simd(false);
        config.wasm_wide_arithmetic(false);
        config.wasm_custom_page_sizes(false);
        let mut features = Features::CORE
            | Features::MEMORY64
            | Features::MULTI_MEMORY
            | Features::EXTENDED_CONST
            | Features::SIMD;
        // Winch has neither exceptions, tail calls, GC types (`externref`) nor the GC
        // proposal, so none of what wasmtime enables with it either (`global.get` of a defined
        // global in a constant expression): `Config::compiler_panicking_wasm_features` lists
        // them for Winch. Every other configuration has all of them (exnref needs the GC
        // collector).
        let full = kind != EngineKind::Winch;
        config.wasm_tail_call(full);
        config.wasm_exceptions(full);
        config.gc_support(full);
        if full {
            config.collector(wasmtime::Collector::DeferredReferenceCounting);
            features.insert(
                Features::EXCEPTIONS
                    | Features::TAIL_CALL
                    | Features::GC_TYPES
                    | Features::CONST_GLOBAL_GET,
            );
        }
        match kind {
            EngineKind::Cranelift => {
                config.strategy(Strategy::Cranelift);
                config.cranelift_opt_level(OptLevel::Speed);
            }
            EngineKind::CraneliftExplicit => {
                config.strategy(Strategy::Cranelift);
                config.cranelift_opt_level(OptLevel::Speed);
                config.signals_based_traps(false);
                config.memory_reservation(0);
                config.memory_guard_size(0);
                // Room to grow in place up to `Limits::default().max_grow_bytes`: with none,
                // every `memory.grow` moves the memory, and a loop growing one page at a time
                // copies quadratically (hours for 1 GiB) where fuel cannot stop it. Growing in
                // place changes no bounds check: there is still no guard region and no
                // signal-based trap.
                config.memory_reservation_for_growth(1 << 30);
            }
            EngineKind::CraneliftO0 => {
                config.strategy(Strategy::Cranelift);
                config.cranelift_opt_level(OptLevel::None);
            }
            EngineKind::Pulley => {
                config.strategy(Strategy::Cranelift);
                config.cranelift_opt_level(OptLevel::Speed);
                config.target(pulley_target()).map_err(|e| EngineError {
                    engine: kind.name().into(),
                    message: e.to_string(),
                })?;
            }
            EngineKind::Winch => {
                config.strategy(Strategy::Winch);
                // Anything else Winch lacks is rejected at compile time and reported as
                // unsupported (see `promise`; the engine is then skipped for that module).
            }
            other => {
                return Err(EngineError {
                    engine: other.name().into(),
                    message: "not a wasmtime configuration".into(),
                });
            }
        }
        let engine = wasmtime::Engine::new(&config).map_err(|e| EngineError {
            engine: kind.name().into(),
            message: format!("{e:#}"),
        })?;
        Ok(WasmtimeEngine {
            kind,
            engine,
            features,
        })
    }

    /// Winch is a baseline compiler that is partial by design; Cranelift and Pulley run every
    /// valid module within their features (see [`crate::rejection`]).
    fn promise(&self) -> Promise {
        if self.kind == EngineKind::Winch {
            Promise::Partial
        } else {
            Promise::Complete
        }
    }
}

/// The Pulley target matching the host's pointer width.
fn pulley_target() -> &'static str {
    if cfg!(target_pointer_width = "64") {
        "pulley64"
    } else {
        "pulley32"
    }
}

/// This engine's compiled modules.
type WasmtimeModule = Compiled<wasmtime::Module>;

impl Engine for WasmtimeEngine {
    fn name(&self) -> &str {
        self.kind.name()
    }

    fn features(&self) -> Features {
        self.features
    }

    fn version(&self) -> String {
        format!("wasmtime {WASMTIME_VERSION} ({})", self.kind.name())
    }

    fn compile(&self, wasm: &[u8]) -> Result<Box<dyn Module>, ModuleError> {
        let module = wasmtime::Module::new(&self.engine, wasm).map_err(|e| {
            let rejection = Rejection {
                message: format!("{e:#}"),
                implementation_limit: is_implementation_limit(&e),
            };
            rejection::classify(wasm, self.features, self.promise(), rejection)
        })?;
        let info = ModuleInfo::parse(wasm)?;
        Ok(Box::new(WasmtimeModule { module, info }))
    }

    fn new_store(&self, limits: Limits) -> Box<dyn Store> {
        let mut store = wasmtime::Store::new(
            &self.engine,
            Host {
                limits,
                refused: None,
            },
        );
        store.limiter(|host| host);
        Box::new(WasmtimeStore {
            store,
            limits,
            instances: Vec::new(),
            registry: HashMap::new(),
            spectest: None,
            exns: Vec::new(),
            pending: None,
        })
    }
}

/// The texts of Cranelift's `CodegenError::ImplLimitExceeded` and `CodegenError::CodeTooLarge`,
/// which wasmtime flattens into `CompileError::Codegen(String)`.
const CRANELIFT_LIMITS: [&str; 2] = [
    "Implementation limit exceeded",
    "Code for function is too large",
];

/// Whether wasmtime rejected a module because it hit one of its implementation limits: a
/// `WasmError::ImplLimitExceeded` from translation, or one of Cranelift's limit errors.
fn is_implementation_limit(error: &wasmtime::Error) -> bool {
    use wasmtime_environ::{CompileError, WasmError};
    match error.downcast_ref::<CompileError>() {
        Some(CompileError::Wasm(WasmError::ImplLimitExceeded)) => true,
        Some(CompileError::Codegen(text)) => CRANELIFT_LIMITS.contains(&text.as_str()),
        Some(_) => false,
        None => matches!(
            error.downcast_ref::<WasmError>(),
            Some(WasmError::ImplLimitExceeded)
        ),
    }
}

/// Per-store host state: the limits, and whether a limit refused something in this step.
struct Host {
    limits: Limits,
    refused: Option<String>,
}

impl ResourceLimiter for Host {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(self.limits.allows_memory(current as u64, desired as u64))
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.refused = Some(format!("memory growth failed: {error}"));
        Ok(())
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired as u64 <= self.limits.max_table_elements)
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.refused = Some(format!("table growth failed: {error}"));
        Ok(())
    }
}

struct InstanceData {
    instance: wasmtime::Instance,
    info: ModuleInfo,
    /// Raw function reference pointer to function index, built on first use.
    funcs: Option<HashMap<usize, u32>>,
}

struct WasmtimeStore {
    store: wasmtime::Store<Host>,
    limits: Limits,
    instances: Vec<InstanceData>,
    registry: HashMap<String, InstanceId>,
    spectest: Option<HashMap<&'static str, Extern>>,
    /// Exception objects the host has seen, with what it saw: index `i` is `ExnId(i + 1)`.
    exns: Vec<(OwnedRooted<ExnRef>, Thrown)>,
    /// The module being instantiated while its failure is reported.
    pending: Option<ModuleInfo>,
}

impl WasmtimeStore {
    fn spectest_export(&mut self, name: &str) -> Option<Extern> {
        if self.spectest.is_none() {
            self.spectest = Some(make_spectest(&mut self.store));
        }
        self.spectest.as_ref()?.get(name).cloned()
    }

    fn resolve_import(&mut self, module: &str, name: &str) -> Option<Extern> {
        if module == spectest::MODULE {
            return self.spectest_export(name);
        }
        let id = *self.registry.get(module)?;
        let instance = self.instances[id.0 as usize].instance;
        instance.get_export(&mut self.store, name)
    }

    fn begin_step(&mut self) {
        self.store.data_mut().refused = None;
        self.store
            .set_fuel(self.limits.fuel)
            .expect("fuel is enabled in every wasmtime configuration");
    }

    /// Maps a wasmtime error from running code to an outcome.
    fn error_outcome<T>(
        &mut self,
        error: wasmtime::Error,
        observer: Option<InstanceId>,
    ) -> Outcome<T> {
        if error.is::<ThrownException>() {
            return match self.store.take_pending_exception() {
                Some(exn) => {
                    let id = self.observe_exn(exn, observer);
                    Outcome::Exception(self.exns[id.0 as usize - 1].1.clone())
                }
                None => Outcome::Crash("ThrownException without a pending exception".into()),
            };
        }
        if let Some(trap) = error.downcast_ref::<wasmtime::Trap>() {
            return trap_outcome(*trap);
        }
        if let Some(refused) = self.store.data_mut().refused.take() {
            return Outcome::Exhaustion(Exhaustion::Resource(refused));
        }
        let message = format!("{error:#}");
        if message.contains("out of memory") || message.contains("exceeds") {
            return Outcome::Exhaustion(Exhaustion::Resource(message));
        }
        Outcome::Crash(message)
    }

    /// Records an exception object the host saw, returning its identity.
    fn observe_exn(&mut self, exn: Rooted<ExnRef>, observer: Option<InstanceId>) -> ExnId {
        for (i, (seen, _)) in self.exns.iter().enumerate() {
            if Rooted::ref_eq(&self.store, &exn, seen).unwrap_or(false) {
                return ExnId(i as u32 + 1);
            }
        }
        let owned = exn
            .to_owned_rooted(&mut self.store)
            .expect("a freshly observed exception is rooted");
        let id = ExnId(self.exns.len() as u32 + 1);
        // Reserve the id before reading the payload, which may hold further exceptions.
        self.exns.push((
            owned,
            Thrown {
                tag: TagId {
                    index: None,
                    name: None,
                },
                payload: Vec::new(),
                id,
            },
        ));
        let tag = exn.tag(&mut self.store).ok();
        let fields: Vec<wasmtime::Val> = exn
            .fields(&mut self.store)
            .map(|f| f.collect())
            .unwrap_or_default();
        let payload = fields
            .into_iter()
            .map(|v| self.observe_val(v, observer))
            .collect();
        let tag = match tag {
            Some(tag) => self.tag_id(tag, observer),
            None => TagId {
                index: None,
                name: None,
            },
        };
        let entry = &mut self.exns[id.0 as usize - 1].1;
        entry.tag = tag;
        entry.payload = payload;
        id
    }

    /// Resolves a tag against the observed instance's tag index space (every tag is reachable
    /// through an export), or, while a failed instantiation is reported, against the module
    /// being instantiated: a tag of an instance the store does not know is one of its own.
    fn tag_id(&mut self, tag: wasmtime::Tag, observer: Option<InstanceId>) -> TagId {
        if let Some(inst) = observer {
            let instance = self.instances[inst.0 as usize].instance;
            for index in 0..self.instances[inst.0 as usize].info.count(ItemKind::Tag) {
                let info = &self.instances[inst.0 as usize].info;
                let Some(name) = info.any_export(ItemKind::Tag, index).map(str::to_string) else {
                    continue;
                };
                if let Some(t) = instance.get_tag(&mut self.store, &name)
                    && wasmtime::Tag::eq(&t, &tag, &self.store)
                {
                    let info = &self.instances[inst.0 as usize].info;
                    return TagId {
                        index: Some(index),
                        name: info.export_name(ItemKind::Tag, index).map(str::to_string),
                    };
                }
            }
        }
        if let Some(info) = &self.pending {
            let coordinates = tag.debug_index_in_store();
            let (owner, defined) = ((coordinates >> 32) as u32, coordinates as u32);
            let known = self
                .instances
                .iter()
                .any(|d| d.instance.debug_index_in_store() == owner);
            if !known {
                let index = info.imported(ItemKind::Tag) + defined;
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

    fn func_id(&mut self, func: Func, inst: InstanceId) -> FuncId {
        let raw = func.to_raw(&mut self.store) as usize;
        if self.instances[inst.0 as usize].funcs.is_none() {
            let mut map = HashMap::new();
            let instance = self.instances[inst.0 as usize].instance;
            let exports: Vec<(String, u32)> = self.instances[inst.0 as usize]
                .info
                .exports
                .iter()
                .filter(|e| e.kind == ItemKind::Func)
                .map(|e| (e.name.clone(), e.index))
                .collect();
            for (name, index) in exports {
                if let Some(f) = instance.get_func(&mut self.store, &name) {
                    map.entry(f.to_raw(&mut self.store) as usize)
                        .or_insert(index);
                }
            }
            self.instances[inst.0 as usize].funcs = Some(map);
        }
        match self.instances[inst.0 as usize]
            .funcs
            .as_ref()
            .and_then(|m| m.get(&raw))
        {
            Some(&i) => FuncId::Index(i),
            None => FuncId::Foreign,
        }
    }

    /// Converts a wasmtime value to a catchall value, resolving identities against `inst`.
    fn observe_val(&mut self, v: wasmtime::Val, inst: Option<InstanceId>) -> Val {
        match v {
            wasmtime::Val::I32(x) => Val::I32(x),
            wasmtime::Val::I64(x) => Val::I64(x),
            wasmtime::Val::F32(x) => Val::F32(x),
            wasmtime::Val::F64(x) => Val::F64(x),
            wasmtime::Val::V128(x) => Val::V128(x.as_u128()),
            wasmtime::Val::FuncRef(None) => Val::FuncRef(None),
            wasmtime::Val::FuncRef(Some(f)) => Val::FuncRef(Some(match inst {
                Some(i) => self.func_id(f, i),
                None => FuncId::Foreign,
            })),
            wasmtime::Val::ExternRef(None) => Val::ExternRef(None),
            wasmtime::Val::ExternRef(Some(r)) => Val::ExternRef(Some(
                r.data(&self.store)
                    .ok()
                    .flatten()
                    .and_then(|d| d.downcast_ref::<u32>().copied())
                    .unwrap_or(u32::MAX),
            )),
            wasmtime::Val::ExnRef(None) => Val::ExnRef(None),
            wasmtime::Val::ExnRef(Some(e)) => Val::ExnRef(Some(self.observe_exn(e, inst))),
            // Outside catchall's vocabulary (GC and stack switching are out of scope).
            wasmtime::Val::AnyRef(_) | wasmtime::Val::ContRef(_) => Val::ExternRef(None),
        }
    }

    /// Converts a table element, resolving identities against `inst`.
    fn observe_ref(&mut self, r: Ref, inst: InstanceId) -> Val {
        match r {
            Ref::Func(f) => self.observe_val(wasmtime::Val::FuncRef(f), Some(inst)),
            Ref::Extern(e) => self.observe_val(wasmtime::Val::ExternRef(e), Some(inst)),
            Ref::Exn(e) => self.observe_val(wasmtime::Val::ExnRef(e), Some(inst)),
            _ => Val::ExternRef(None),
        }
    }

    /// Converts an argument; `Err` names why it cannot be passed.
    fn engine_val(&mut self, v: &Val, inst: InstanceId) -> Result<wasmtime::Val, String> {
        Ok(match *v {
            Val::I32(x) => wasmtime::Val::I32(x),
            Val::I64(x) => wasmtime::Val::I64(x),
            Val::F32(x) => wasmtime::Val::F32(x),
            Val::F64(x) => wasmtime::Val::F64(x),
            Val::V128(x) => wasmtime::Val::V128(x.into()),
            Val::FuncRef(None) => wasmtime::Val::FuncRef(None),
            Val::FuncRef(Some(FuncId::Index(i))) => {
                let data = &self.instances[inst.0 as usize];
                let name = data
                    .info
                    .any_export(ItemKind::Func, i)
                    .ok_or_else(|| format!("function {i} is not exported"))?
                    .to_string();
                let instance = data.instance;
                wasmtime::Val::FuncRef(instance.get_func(&mut self.store, &name))
            }
            Val::FuncRef(Some(FuncId::Foreign)) => {
                return Err("cannot pass a foreign function reference".into());
            }
            Val::ExternRef(None) => wasmtime::Val::ExternRef(None),
            Val::ExternRef(Some(n)) => wasmtime::Val::ExternRef(Some(
                ExternRef::new(&mut self.store, n).map_err(|e| e.to_string())?,
            )),
            Val::ExnRef(None) => wasmtime::Val::ExnRef(None),
            Val::ExnRef(Some(ExnId(n))) => {
                let (owned, _) = self
                    .exns
                    .get(n as usize - 1)
                    .ok_or_else(|| format!("no exception #{n} was observed"))?;
                let owned = owned.clone();
                wasmtime::Val::ExnRef(Some(owned.to_rooted(&mut self.store)))
            }
        })
    }

    fn instance(&self, id: InstanceId) -> wasmtime::Instance {
        self.instances[id.0 as usize].instance
    }
}

impl Store for WasmtimeStore {
    fn instantiate(&mut self, module: &dyn Module) -> Result<Outcome<InstanceId>, ModuleError> {
        let module = WasmtimeModule::of(module);
        let mut imports = Vec::new();
        for import in module.module.imports() {
            let found = self.resolve_import(import.module(), import.name());
            match found {
                Some(e) => imports.push(e),
                None => {
                    return Err(ModuleError::Unlinkable(format!(
                        "unknown import {}::{}",
                        import.module(),
                        import.name()
                    )));
                }
            }
        }
        self.begin_step();
        let id = InstanceId(self.instances.len() as u32);
        match wasmtime::Instance::new(&mut self.store, &module.module, &imports) {
            Ok(instance) => {
                self.instances.push(InstanceData {
                    instance,
                    info: module.info.clone(),
                    funcs: None,
                });
                Ok(Outcome::Return(id))
            }
            Err(e) => {
                // Code ran (segment initialization or the start function) and stopped: the
                // outcome is the trap or exception, whatever its message says.
                if e.is::<ThrownException>() {
                    return Ok(self.start_exception(module));
                }
                if e.is::<wasmtime::Trap>() {
                    return Ok(self.error_outcome(e, None));
                }
                // Otherwise linking failed before any code ran.
                let message = format!("{e:#}");
                if message.contains("incompatible import type")
                    || message.contains("unknown import")
                    || message.contains("type mismatch")
                {
                    return Err(ModuleError::Unlinkable(message));
                }
                Ok(self.error_outcome(e, None))
            }
        }
    }

    fn register(&mut self, name: &str, instance: InstanceId) {
        self.registry.insert(name.to_string(), instance);
    }

    fn call(&mut self, instance: InstanceId, func: &str, args: &[Val]) -> Outcome<Vec<Val>> {
        let inst = self.instance(instance);
        let Some(f) = inst.get_func(&mut self.store, func) else {
            return Outcome::Crash(format!("no exported function {func:?}"));
        };
        let ty = f.ty(&self.store);
        if ty.params().len() != args.len() {
            return Outcome::Crash(format!(
                "{func} takes {} arguments, {} given",
                ty.params().len(),
                args.len()
            ));
        }
        let mut params = Vec::with_capacity(args.len());
        for a in args {
            match self.engine_val(a, instance) {
                Ok(v) => params.push(v),
                Err(e) => return Outcome::Crash(e),
            }
        }
        let mut results: Vec<wasmtime::Val> = ty
            .results()
            .map(|t| wasmtime::Val::default_for_ty(&t).unwrap_or(wasmtime::Val::I32(0)))
            .collect();
        self.begin_step();
        match f.call(&mut self.store, &params, &mut results) {
            Ok(()) => Outcome::Return(
                results
                    .into_iter()
                    .map(|v| self.observe_val(v, Some(instance)))
                    .collect(),
            ),
            Err(e) => self.error_outcome(e, Some(instance)),
        }
    }

    fn global(&mut self, instance: InstanceId, name: &str) -> Option<Val> {
        let inst = self.instance(instance);
        let g = inst.get_global(&mut self.store, name)?;
        let v = g.get(&mut self.store);
        Some(self.observe_val(v, Some(instance)))
    }

    fn snapshot(&mut self, instance: InstanceId) -> Snapshot {
        let inst = self.instance(instance);
        let info = self.instances[instance.0 as usize].info.clone();
        let mut snap = Snapshot::default();
        for index in 0..info.count(ItemKind::Memory) {
            let Some(name) = info.any_export(ItemKind::Memory, index) else {
                continue;
            };
            let Some(m) = inst.get_memory(&mut self.store, name) else {
                continue;
            };
            let is_64 = m.ty(&self.store).is_64();
            snap.memories.push(MemoryState {
                index,
                index_type: if is_64 {
                    IndexType::I64
                } else {
                    IndexType::I32
                },
                pages: m.size(&self.store),
                digest: crate::digest::of_host_memory(m.data(&self.store)),
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
            let Some(t) = inst.get_table(&mut self.store, name) else {
                continue;
            };
            let is_64 = t.ty(&self.store).is_64();
            let size = t.size(&self.store);
            let mut elements = Vec::with_capacity(size.min(1 << 16) as usize);
            for i in 0..size {
                let v = match t.get(&mut self.store, i) {
                    Some(r) => self.observe_ref(r, instance),
                    None => Val::ExternRef(None),
                };
                elements.push(v);
            }
            snap.tables.push(TableState {
                index,
                index_type: if is_64 {
                    IndexType::I64
                } else {
                    IndexType::I32
                },
                size,
                elements,
            });
        }
        snap.exceptions = self.exns.iter().map(|(_, t)| t.clone()).collect();
        snap
    }

    fn memory_contents(&mut self, instance: InstanceId, index: u32) -> Option<Vec<u8>> {
        let inst = self.instance(instance);
        let name = self.instances[instance.0 as usize]
            .info
            .any_export(ItemKind::Memory, index)?
            .to_string();
        let m = inst.get_memory(&mut self.store, &name)?;
        Some(m.data(&self.store).to_vec())
    }
}

impl WasmtimeStore {
    /// The outcome of a start function that threw. The instance never came to be, so its tags
    /// are resolved through the module being instantiated (see [`WasmtimeStore::tag_id`]).
    fn start_exception(&mut self, module: &WasmtimeModule) -> Outcome<InstanceId> {
        self.pending = Some(module.info.clone());
        let outcome = match self.store.take_pending_exception() {
            Some(exn) => {
                let id = self.observe_exn(exn, None);
                Outcome::Exception(self.exns[id.0 as usize - 1].1.clone())
            }
            None => Outcome::Crash("ThrownException without a pending exception".into()),
        };
        self.pending = None;
        outcome
    }
}

/// Maps a wasmtime trap code onto catchall's vocabulary.
fn trap_outcome<T>(trap: wasmtime::Trap) -> Outcome<T> {
    use wasmtime::Trap as W;
    let kind = match trap {
        W::StackOverflow => return Outcome::Exhaustion(Exhaustion::CallStack),
        W::OutOfFuel => return Outcome::Exhaustion(Exhaustion::Fuel),
        W::Interrupt => return Outcome::Exhaustion(Exhaustion::Deadline),
        W::AllocationTooLarge => {
            return Outcome::Exhaustion(Exhaustion::Resource(trap.to_string()));
        }
        W::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        W::TableOutOfBounds => TrapKind::TableOutOfBounds,
        W::IndirectCallToNull => TrapKind::IndirectCallNull,
        W::BadSignature => TrapKind::IndirectCallBadSignature,
        W::IntegerOverflow => TrapKind::IntegerOverflow,
        W::IntegerDivisionByZero => TrapKind::IntegerDivideByZero,
        W::BadConversionToInteger => TrapKind::BadConversionToInteger,
        W::UnreachableCodeReached => TrapKind::Unreachable,
        W::NullReference => TrapKind::NullReference,
        W::CastFailure => TrapKind::CastFailure,
        other => TrapKind::Other(other.to_string()),
    };
    Outcome::Trap(Trap {
        kind,
        message: trap.to_string(),
    })
}

/// Builds the `spectest` host module's items in a store.
fn make_spectest(store: &mut wasmtime::Store<Host>) -> HashMap<&'static str, Extern> {
    use wasmtime::{FuncType, GlobalType, MemoryType, Mutability, RefType, TableType, ValType};
    let mut items = HashMap::new();
    let engine = store.engine().clone();
    for (name, params) in spectest::PRINT_FUNCS {
        let params: Vec<ValType> = params
            .iter()
            .map(|t| match t {
                crate::value::ValType::I32 => ValType::I32,
                crate::value::ValType::I64 => ValType::I64,
                crate::value::ValType::F32 => ValType::F32,
                _ => ValType::F64,
            })
            .collect();
        let ty = FuncType::new(&engine, params, []);
        let f = Func::new(&mut *store, ty, |_, _, _| Ok(()));
        items.insert(*name, Extern::Func(f));
    }
    for (name, value) in spectest::globals() {
        let (ty, v) = match value {
            Val::I32(x) => (ValType::I32, wasmtime::Val::I32(x)),
            Val::I64(x) => (ValType::I64, wasmtime::Val::I64(x)),
            Val::F32(x) => (ValType::F32, wasmtime::Val::F32(x)),
            Val::F64(x) => (ValType::F64, wasmtime::Val::F64(x)),
            _ => continue,
        };
        if let Ok(g) = wasmtime::Global::new(&mut *store, GlobalType::new(ty, Mutability::Const), v)
        {
            items.insert(name, Extern::Global(g));
        }
    }
    if let Ok(t) = wasmtime::Table::new(
        &mut *store,
        TableType::new(
            RefType::FUNCREF,
            spectest::TABLE_MIN as u32,
            Some(spectest::TABLE_MAX as u32),
        ),
        Ref::Func(None),
    ) {
        items.insert("table", Extern::Table(t));
    }
    if let Ok(t) = wasmtime::Table::new(
        &mut *store,
        TableType::new64(
            RefType::FUNCREF,
            spectest::TABLE_MIN,
            Some(spectest::TABLE_MAX),
        ),
        Ref::Func(None),
    ) {
        items.insert("table64", Extern::Table(t));
    }
    if let Ok(m) = wasmtime::Memory::new(
        &mut *store,
        MemoryType::new(
            spectest::MEMORY_MIN as u32,
            Some(spectest::MEMORY_MAX as u32),
        ),
    ) {
        items.insert("memory", Extern::Memory(m));
    }
    let _ = store.as_context_mut();
    items
}

/// Creates a wasmtime engine for `kind`, boxed.
pub fn build(kind: EngineKind) -> Result<Box<dyn Engine>, EngineError> {
    Ok(Box::new(WasmtimeEngine::new(kind)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime_environ::{CompileError, WasmError};

    fn engine(kind: EngineKind) -> WasmtimeEngine {
        WasmtimeEngine::new(kind).unwrap()
    }

    fn wasm(text: &str) -> Vec<u8> {
        wat::parse_str(text).unwrap()
    }

    #[test]
    fn winch_declares_what_its_configuration_lacks() {
        let winch = engine(EngineKind::Winch).features();
        for lacking in [
            Features::GC_TYPES,
            Features::CONST_GLOBAL_GET,
            Features::EXCEPTIONS,
            Features::TAIL_CALL,
        ] {
            assert!(!winch.contains(lacking), "{lacking}");
        }
        let cranelift = engine(EngineKind::Cranelift).features();
        assert!(
            cranelift
                .contains(Features::GC_TYPES | Features::CONST_GLOBAL_GET | Features::EXCEPTIONS)
        );
    }

    #[test]
    fn winch_validation_errors_are_invalid_not_internal() {
        let bad = wasm("(module (func (result i32) (i64.const 0)))");
        let Err(error) = wasmtime::Module::new(&engine(EngineKind::Winch).engine, &bad) else {
            panic!("winch compiled an invalid module");
        };
        // What the old string matching misread: a validation error as a codegen error.
        assert!(matches!(
            error.downcast_ref::<CompileError>(),
            Some(CompileError::Codegen(text)) if text.contains("type mismatch")
        ));
        assert!(!is_implementation_limit(&error));
        for kind in [EngineKind::Winch, EngineKind::Cranelift] {
            assert!(
                matches!(engine(kind).compile(&bad), Err(ModuleError::Invalid(_))),
                "{kind}"
            );
        }
    }

    #[test]
    fn winch_rejecting_externref_is_unsupported() {
        let m = wasm(
            r#"(module (func (export "f") (param externref) (result externref) (local.get 0)))"#,
        );
        match engine(EngineKind::Winch).compile(&m) {
            Err(ModuleError::Unsupported(message)) => {
                assert!(message.starts_with("needs gc-types: "), "{message}");
                assert!(message.contains("gc types are disallowed"), "{message}");
            }
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("winch compiled an externref module"),
        }
        assert!(engine(EngineKind::Cranelift).compile(&m).is_ok());
    }

    #[test]
    fn bytes_without_the_magic_are_malformed() {
        for kind in [EngineKind::Winch, EngineKind::Cranelift] {
            assert!(
                matches!(
                    engine(kind).compile(b"(module)"),
                    Err(ModuleError::Malformed(_))
                ),
                "{kind}"
            );
        }
    }

    #[test]
    fn implementation_limits_are_read_by_type() {
        let limit = |e: CompileError| {
            is_implementation_limit(&wasmtime::Error::new(e).context("failed to compile: f"))
        };
        assert!(limit(CompileError::Wasm(WasmError::ImplLimitExceeded)));
        assert!(limit(CompileError::Codegen(
            "Implementation limit exceeded".into()
        )));
        assert!(limit(CompileError::Codegen(
            "Code for function is too large".into()
        )));
        assert!(!limit(CompileError::Codegen(
            "Verifier errors: implementation limit exceeded?".into()
        )));
        assert!(!limit(CompileError::Wasm(WasmError::Unsupported(
            "x".into()
        ))));
        let parse = wasmtime::Error::new(WasmError::ImplLimitExceeded)
            .context("failed to parse WebAssembly module");
        assert!(is_implementation_limit(&parse));
    }
}
