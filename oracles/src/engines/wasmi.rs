//! The wasmi adapter: an independent interpreter for modules without exceptions.

use crate::engine::{Compiled, Engine, InstanceId, Limits, Module, Store};
use crate::engines::spectest;
use crate::features::Features;
use crate::module_info::{ItemKind, ModuleInfo};
use crate::outcome::{
    Exhaustion, GlobalState, IndexType, MemoryState, ModuleError, Outcome, Snapshot, TableState,
    Trap, TrapKind,
};
use crate::rejection::{self, Promise, Rejection};
use crate::value::{FuncId, Val};

use std::collections::HashMap;
use wasmi::TrapCode;
use wasmi::errors::{ErrorKind, InstantiationError};
use wasmi::{Config, Extern, ExternRef, Func, Nullable, Ref};

/// The wasmi version this adapter is built against.
pub const WASMI_VERSION: &str = "2.0.0";

/// wasmi with fuel metering and every proposal it shares with catchall's scope.
pub struct WasmiEngine {
    engine: wasmi::Engine,
}

impl Default for WasmiEngine {
    fn default() -> Self {
        WasmiEngine::new()
    }
}

impl WasmiEngine {
    /// Creates the engine.
    pub fn new() -> WasmiEngine {
        let mut config = Config::default();
        config.consume_fuel(true);
        // Bulk operations and grows cost (almost) nothing per byte, as in catchall's wasmtime
        // configurations: otherwise a `memory.grow` of a GiB runs wasmi out of fuel where every
        // other engine completes it, and the case is poisoned instead of compared.
        config.fuel_cost(wasmi::CustomFuelCosts {
            bytes_copied_per_fuel: u32::MAX,
            fuel_per_bytes_translated: 0,
            fuel_per_bytes_validated: 0,
        });
        // Translate every function when the module is compiled, not on its first call: a
        // translator panic then surfaces from `compile`, where it becomes an `EngineCrash`,
        // instead of inside the executor (a lazily translated callee), which cannot unwind and
        // aborts the process (`corpus/regressions/wasmi-store-same-local-panic.wat`).
        config.compilation_mode(wasmi::CompilationMode::Eager);
        config.wasm_multi_memory(true);
        config.wasm_memory64(true);
        config.wasm_tail_call(true);
        config.wasm_extended_const(true);
        config.wasm_custom_page_sizes(false);
        config.wasm_wide_arithmetic(false);
        WasmiEngine {
            engine: wasmi::Engine::new(&config),
        }
    }
}

/// This engine's compiled modules.
type WasmiModule = Compiled<wasmi::Module>;

impl Engine for WasmiEngine {
    fn name(&self) -> &str {
        "wasmi"
    }

    fn features(&self) -> Features {
        // wasmi's reference types include `externref` (its `Config` turns wasmparser's
        // `gc_types` on with them); it has no GC proposal, so no `global.get` of a defined
        // global in a constant expression.
        Features::CORE
            | Features::GC_TYPES
            | Features::MEMORY64
            | Features::MULTI_MEMORY
            | Features::TAIL_CALL
            | Features::EXTENDED_CONST
    }

    fn version(&self) -> String {
        format!("wasmi {WASMI_VERSION}")
    }

    fn compile(&self, wasm: &[u8]) -> Result<Box<dyn Module>, ModuleError> {
        // wasmi is built without its `wat` feature: `Module::new` only ever decodes binaries.
        let module = wasmi::Module::new(&self.engine, wasm).map_err(|e| {
            let rejection = Rejection {
                message: e.to_string(),
                implementation_limit: matches!(e.kind(), ErrorKind::ImplementationLimits(_)),
            };
            rejection::classify(wasm, self.features(), Promise::Partial, rejection)
        })?;
        let info = ModuleInfo::parse(wasm)?;
        if let Some(why) = skip_reason(&info) {
            return Err(ModuleError::Unsupported(why));
        }
        Ok(Box::new(WasmiModule { module, info }))
    }

    fn new_store(&self, limits: Limits) -> Box<dyn Store> {
        let mut store = wasmi::Store::new(&self.engine, Budget(limits));
        store.limiter(|l| l);
        Box::new(WasmiStore {
            store,
            limits,
            instances: Vec::new(),
            registry: HashMap::new(),
            spectest: None,
        })
    }
}

/// The store's resource limiter: catchall's [`Limits`], applied by the same rule as on every
/// engine ([`Limits::allows_memory`]). A refused grow returns -1; it never traps.
struct Budget(Limits);

impl wasmi::ResourceLimiter for Budget {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, wasmi_core::LimiterError> {
        Ok(self.0.allows_memory(current as u64, desired as u64))
    }

    fn memory_grow_failed(
        &mut self,
        _error: &wasmi::errors::MemoryError,
    ) -> Result<(), wasmi_core::LimiterError> {
        Ok(())
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, wasmi_core::LimiterError> {
        Ok(desired as u64 <= self.0.max_table_elements)
    }

    fn table_grow_failed(
        &mut self,
        _error: &wasmi::errors::TableError,
    ) -> Result<(), wasmi_core::LimiterError> {
        Ok(())
    }

    fn instances(&self) -> usize {
        10_000
    }

    fn tables(&self) -> usize {
        10_000
    }

    fn memories(&self) -> usize {
        10_000
    }
}

/// The largest maximum a memory64 may declare, in 64 KiB pages: 2^48 pages are 2^64 bytes.
const MEMORY64_MAX_PAGES: u64 = 1 << 48;

/// The largest declared memory wasmi is given, in bytes: wasmi 2.0.0 commits a memory's
/// declared size eagerly (a declared 4 GiB memory64 costs 4 GiB of resident memory and seconds
/// of zeroing), where every other engine maps it lazily.
pub const WASMI_MAX_DECLARED_MEMORY: u64 = 1 << 30;

/// Why wasmi 2.0.0 is not given a module it would otherwise run, if it is one of those: the
/// engine is skipped with this reason (counted by the campaign as a skip reason).
///
/// - A memory declared larger than [`WASMI_MAX_DECLARED_MEMORY`] would be committed whole, on
///   every case that declares it: a resource limit of the host, not a semantic difference.
pub fn skip_reason(info: &ModuleInfo) -> Option<String> {
    let declared = info.memories.iter().map(|m| m.min).max().unwrap_or(0);
    if u128::from(declared) * 65536 > u128::from(WASMI_MAX_DECLARED_MEMORY) {
        return Some(format!(
            "wasmi commits declared memory eagerly: a memory of {declared} pages is more than \
             the {} MiB it is given",
            WASMI_MAX_DECLARED_MEMORY >> 20
        ));
    }
    None
}

/// Whether wasmi 2.0.0 is known to abort the process on this module: a 64-bit memory declared
/// with the largest valid maximum, 2^48 pages, aborts when it grows
/// (corpus/regressions/wasmi-grow-memory64-max-2p48.wast). Not a reason to withhold the module
/// from wasmi — campaigns run wasmi in worker processes and count this crash as a known bug —
/// but callers that run wasmi in their own process (`catchall bench`) can leave such modules
/// out.
pub fn aborts_on(info: &ModuleInfo) -> bool {
    info.memories
        .iter()
        .any(|m| m.index_type == IndexType::I64 && m.max == Some(MEMORY64_MAX_PAGES))
}

struct InstanceData {
    instance: wasmi::Instance,
    info: ModuleInfo,
    funcs: Option<HashMap<String, u32>>,
}

struct WasmiStore {
    store: wasmi::Store<Budget>,
    limits: Limits,
    instances: Vec<InstanceData>,
    registry: HashMap<String, InstanceId>,
    spectest: Option<HashMap<&'static str, Extern>>,
}

/// A function's identity key: wasmi's handles expose no equality, but their debug form is the
/// store-unique handle.
fn func_key(f: &Func) -> String {
    format!("{f:?}")
}

impl WasmiStore {
    fn resolve_import(&mut self, module: &str, name: &str) -> Option<Extern> {
        if module == spectest::MODULE {
            if self.spectest.is_none() {
                self.spectest = Some(make_spectest(&mut self.store));
            }
            return self.spectest.as_ref()?.get(name).cloned();
        }
        let id = *self.registry.get(module)?;
        self.instances[id.0 as usize]
            .instance
            .get_export(&self.store, name)
    }

    fn begin_step(&mut self) {
        self.store
            .set_fuel(self.limits.fuel)
            .expect("fuel metering is enabled");
    }

    fn func_id(&mut self, f: &Func, inst: InstanceId) -> FuncId {
        let data = &mut self.instances[inst.0 as usize];
        if data.funcs.is_none() {
            let mut map = HashMap::new();
            for e in data
                .info
                .exports
                .iter()
                .filter(|e| e.kind == ItemKind::Func)
            {
                if let Some(g) = data.instance.get_func(&self.store, &e.name) {
                    map.entry(func_key(&g)).or_insert(e.index);
                }
            }
            data.funcs = Some(map);
        }
        match data.funcs.as_ref().and_then(|m| m.get(&func_key(f))) {
            Some(&i) => FuncId::Index(i),
            None => FuncId::Foreign,
        }
    }

    /// Converts a wasmi value to a catchall value, resolving identities against `inst`.
    fn observe_val(&mut self, v: &wasmi::Val, inst: InstanceId) -> Val {
        match v {
            wasmi::Val::I32(x) => Val::I32(*x),
            wasmi::Val::I64(x) => Val::I64(*x),
            wasmi::Val::F32(x) => Val::F32(x.to_bits()),
            wasmi::Val::F64(x) => Val::F64(x.to_bits()),
            wasmi::Val::V128(x) => Val::V128(x.as_u128()),
            wasmi::Val::FuncRef(f) => Val::FuncRef(f.val().map(|f| self.func_id(f, inst))),
            wasmi::Val::ExternRef(e) => Val::ExternRef(e.val().map(|e| {
                e.data(&self.store)
                    .downcast_ref::<u32>()
                    .copied()
                    .unwrap_or(u32::MAX)
            })),
        }
    }

    /// Converts an argument; `Err` names why it cannot be passed.
    fn engine_val(&mut self, v: &Val, inst: InstanceId) -> Result<wasmi::Val, String> {
        Ok(match *v {
            Val::I32(x) => wasmi::Val::I32(x),
            Val::I64(x) => wasmi::Val::I64(x),
            Val::F32(x) => wasmi::Val::F32(wasmi::F32::from_bits(x)),
            Val::F64(x) => wasmi::Val::F64(wasmi::F64::from_bits(x)),
            Val::V128(x) => wasmi::Val::V128(wasmi::V128::from(x)),
            Val::FuncRef(None) => wasmi::Val::FuncRef(Nullable::Null),
            Val::FuncRef(Some(FuncId::Index(i))) => {
                let data = &self.instances[inst.0 as usize];
                let name = data
                    .info
                    .any_export(ItemKind::Func, i)
                    .ok_or_else(|| format!("function {i} is not exported"))?;
                let f = data
                    .instance
                    .get_func(&self.store, name)
                    .ok_or_else(|| format!("function {i} is not exported"))?;
                wasmi::Val::FuncRef(Nullable::Val(f))
            }
            Val::FuncRef(Some(FuncId::Foreign)) => {
                return Err("cannot pass a foreign function reference".into());
            }
            Val::ExternRef(None) => wasmi::Val::ExternRef(Nullable::Null),
            Val::ExternRef(Some(n)) => {
                wasmi::Val::ExternRef(Nullable::Val(ExternRef::new(&mut self.store, n)))
            }
            Val::ExnRef(_) => return Err("wasmi has no exnref".into()),
        })
    }

    fn error_outcome<T>(&mut self, e: wasmi::Error) -> Outcome<T> {
        if let Some(code) = e.as_trap_code() {
            let kind = match code {
                TrapCode::StackOverflow => return Outcome::Exhaustion(Exhaustion::CallStack),
                TrapCode::OutOfFuel => return Outcome::Exhaustion(Exhaustion::Fuel),
                TrapCode::GrowthOperationLimited | TrapCode::OutOfSystemMemory => {
                    return Outcome::Exhaustion(Exhaustion::Resource(e.to_string()));
                }
                TrapCode::UnreachableCodeReached => TrapKind::Unreachable,
                TrapCode::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
                TrapCode::TableOutOfBounds => TrapKind::TableOutOfBounds,
                TrapCode::IndirectCallToNull => TrapKind::IndirectCallNull,
                TrapCode::IntegerDivisionByZero => TrapKind::IntegerDivideByZero,
                TrapCode::IntegerOverflow => TrapKind::IntegerOverflow,
                TrapCode::BadConversionToInteger => TrapKind::BadConversionToInteger,
                TrapCode::BadSignature => TrapKind::IndirectCallBadSignature,
                #[allow(unreachable_patterns, reason = "trap codes wasmi may add")]
                _ => TrapKind::Other(code.to_string()),
            };
            return Outcome::Trap(Trap {
                kind,
                message: e.to_string(),
            });
        }
        match e.kind() {
            ErrorKind::Fuel(_) => Outcome::Exhaustion(Exhaustion::Fuel),
            ErrorKind::Memory(_) | ErrorKind::Table(_) | ErrorKind::UserLimits(_) => {
                Outcome::Exhaustion(Exhaustion::Resource(e.to_string()))
            }
            _ => Outcome::Crash(e.to_string()),
        }
    }
}

impl Store for WasmiStore {
    fn instantiate(&mut self, module: &dyn Module) -> Result<Outcome<InstanceId>, ModuleError> {
        let module = WasmiModule::of(module);
        let mut imports = Vec::new();
        for import in module.module.imports() {
            match self.resolve_import(import.module(), import.name()) {
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
        match wasmi::Instance::new(&mut self.store, &module.module, &imports) {
            Ok(instance) => {
                let id = InstanceId(self.instances.len() as u32);
                self.instances.push(InstanceData {
                    instance,
                    info: module.info.clone(),
                    funcs: None,
                });
                Ok(Outcome::Return(id))
            }
            Err(e) => match e.kind() {
                ErrorKind::Linker(_) => Err(ModuleError::Unlinkable(e.to_string())),
                ErrorKind::Instantiation(i) => instantiation_outcome(i),
                _ => Ok(self.error_outcome(e)),
            },
        }
    }

    fn register(&mut self, name: &str, instance: InstanceId) {
        self.registry.insert(name.to_string(), instance);
    }

    fn call(&mut self, instance: InstanceId, func: &str, args: &[Val]) -> Outcome<Vec<Val>> {
        let Some(f) = self.instances[instance.0 as usize]
            .instance
            .get_func(&self.store, func)
        else {
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
        let mut results: Vec<wasmi::Val> = ty
            .results()
            .iter()
            .map(|t| wasmi::Val::default_for_ty(*t))
            .collect();
        self.begin_step();
        match f.call(&mut self.store, &params, &mut results) {
            Ok(()) => Outcome::Return(
                results
                    .iter()
                    .map(|v| self.observe_val(v, instance))
                    .collect(),
            ),
            Err(e) => self.error_outcome(e),
        }
    }

    fn global(&mut self, instance: InstanceId, name: &str) -> Option<Val> {
        let g = self.instances[instance.0 as usize]
            .instance
            .get_global(&self.store, name)?;
        let v = g.get(&self.store);
        Some(self.observe_val(&v, instance))
    }

    fn snapshot(&mut self, instance: InstanceId) -> Snapshot {
        let info = self.instances[instance.0 as usize].info.clone();
        let inst = self.instances[instance.0 as usize].instance;
        let mut snap = Snapshot::default();
        for index in 0..info.count(ItemKind::Memory) {
            let Some(m) = info
                .any_export(ItemKind::Memory, index)
                .and_then(|n| inst.get_memory(&self.store, n))
            else {
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
            if let Some(value) = info
                .any_export(ItemKind::Global, index)
                .and_then(|n| self.global(instance, n))
            {
                snap.globals.push(GlobalState { index, value });
            }
        }
        for index in 0..info.count(ItemKind::Table) {
            let Some(t) = info
                .any_export(ItemKind::Table, index)
                .and_then(|n| inst.get_table(&self.store, n))
            else {
                continue;
            };
            let is_64 = t.ty(&self.store).is_64();
            let size = t.size(&self.store);
            let mut elements = Vec::with_capacity(size.min(1 << 16) as usize);
            for i in 0..size {
                let v = match t.get(&self.store, i) {
                    Some(Ref::Func(f)) => wasmi::Val::FuncRef(f),
                    Some(Ref::Extern(e)) => wasmi::Val::ExternRef(e),
                    None => wasmi::Val::ExternRef(Nullable::Null),
                };
                elements.push(self.observe_val(&v, instance));
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
        snap
    }

    fn memory_contents(&mut self, instance: InstanceId, index: u32) -> Option<Vec<u8>> {
        let data = &self.instances[instance.0 as usize];
        let name = data.info.any_export(ItemKind::Memory, index)?;
        let m = data.instance.get_memory(&self.store, name)?;
        Some(m.data(&self.store).to_vec())
    }
}

/// Maps wasmi's instantiation errors, one variant at a time: import mismatches do not link, an
/// element segment out of its table's bounds is the spec's trap, and running out of what the
/// store allows is a host resource limit.
fn instantiation_outcome(error: &InstantiationError) -> Result<Outcome<InstanceId>, ModuleError> {
    use InstantiationError as I;
    match error {
        I::MismatchedNumberOfImports { .. }
        | I::ImportTypeMismatch { .. }
        | I::GlobalTypeMismatch { .. }
        | I::FuncTypeMismatch { .. }
        | I::TableTypeMismatch { .. }
        | I::MemoryTypeMismatch { .. } => Err(ModuleError::Unlinkable(error.to_string())),
        I::ElementSegmentDoesNotFit { .. } => Ok(Outcome::Trap(Trap {
            kind: TrapKind::TableOutOfBounds,
            message: error.to_string(),
        })),
        I::TooManyInstances
        | I::TooManyTables
        | I::TooManyMemories
        | I::FailedToInstantiateMemory(_)
        | I::FailedToInstantiateTable(_) => {
            Ok(Outcome::Exhaustion(Exhaustion::Resource(error.to_string())))
        }
        // `Instance::new` runs the start function; only `InstancePre::ensure_no_start` reports
        // one, so this is the adapter's or wasmi's mistake.
        I::UnexpectedStartFn { .. } => Ok(Outcome::Crash(error.to_string())),
    }
}

/// Builds the `spectest` host module's items in a store.
fn make_spectest(store: &mut wasmi::Store<Budget>) -> HashMap<&'static str, Extern> {
    use wasmi::ValType as W;
    let mut items = HashMap::new();
    for (name, params) in spectest::PRINT_FUNCS {
        let params: Vec<W> = params
            .iter()
            .map(|t| match t {
                crate::value::ValType::I32 => W::I32,
                crate::value::ValType::I64 => W::I64,
                crate::value::ValType::F32 => W::F32,
                _ => W::F64,
            })
            .collect();
        let ty = wasmi::FuncType::new(params, []);
        let f = Func::new(&mut *store, ty, |_, _, _| Ok(()));
        items.insert(*name, Extern::Func(f));
    }
    for (name, value) in spectest::globals() {
        let v = match value {
            Val::I32(x) => wasmi::Val::I32(x),
            Val::I64(x) => wasmi::Val::I64(x),
            Val::F32(x) => wasmi::Val::F32(wasmi::F32::from_bits(x)),
            Val::F64(x) => wasmi::Val::F64(wasmi::F64::from_bits(x)),
            _ => continue,
        };
        let g = wasmi::Global::new(&mut *store, v, wasmi::Mutability::Const);
        items.insert(name, Extern::Global(g));
    }
    for (name, is_64) in [("table", false), ("table64", true)] {
        let ty = if is_64 {
            wasmi::TableType::new64(
                wasmi::RefType::Func,
                spectest::TABLE_MIN,
                Some(spectest::TABLE_MAX),
            )
        } else {
            wasmi::TableType::new(
                wasmi::RefType::Func,
                spectest::TABLE_MIN as u32,
                Some(spectest::TABLE_MAX as u32),
            )
        };
        if let Ok(t) = wasmi::Table::new(&mut *store, ty, Ref::Func(Nullable::Null)) {
            items.insert(name, Extern::Table(t));
        }
    }
    let ty = wasmi::MemoryType::new(
        spectest::MEMORY_MIN as u32,
        Some(spectest::MEMORY_MAX as u32),
    );
    if let Ok(m) = wasmi::Memory::new(&mut *store, ty) {
        items.insert("memory", Extern::Memory(m));
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wasm(text: &str) -> Vec<u8> {
        wat::parse_str(text).unwrap()
    }

    fn instantiate(text: &str) -> Result<Outcome<InstanceId>, ModuleError> {
        let engine = WasmiEngine::new();
        let module = engine.compile(&wasm(text))?;
        engine.new_store(Limits::default()).instantiate(&*module)
    }

    #[test]
    fn a_memory64_with_the_largest_maximum_is_given_to_wasmi() {
        let engine = WasmiEngine::new();
        // No protective skip: the module compiles (growing it aborts the process, which a
        // campaign's worker process survives and counts as a known bug).
        let largest = wasm("(module (memory i64 0 0x1_0000_0000_0000))");
        assert!(engine.compile(&largest).is_ok());
        assert!(aborts_on(&ModuleInfo::parse(&largest).unwrap()));
        // One page less, and a 32-bit memory at its largest maximum, run as usual.
        let mut store = engine.new_store(Limits::default());
        let smaller = engine
            .compile(&wasm(
                r#"(module (memory i64 0 0xffff_ffff_ffff)
                     (func (export "grow") (result i64) (memory.grow (i64.const 1))))"#,
            ))
            .expect("compiles");
        let Ok(Outcome::Return(id)) = store.instantiate(&*smaller) else {
            panic!("instantiates")
        };
        assert_eq!(
            store.call(id, "grow", &[]),
            Outcome::Return(vec![Val::I64(0)])
        );
        assert!(engine.compile(&wasm("(module (memory 0 65536))")).is_ok());
        // Declared memory is committed eagerly by wasmi: more than 1 GiB is not given to it.
        match engine.compile(&wasm("(module (memory i64 16385))")) {
            Err(ModuleError::Unsupported(why)) => assert!(why.contains("eagerly"), "{why}"),
            other => panic!("expected unsupported, got {:?}", other.err()),
        }
        assert!(engine.compile(&wasm("(module (memory i64 16384))")).is_ok());
    }

    #[test]
    fn text_is_not_taken_for_a_module() {
        for bytes in [&b"(module)"[..], b"", b"\0asm", b"asm\x01\0\0\0"] {
            assert!(
                matches!(
                    WasmiEngine::new().compile(bytes),
                    Err(ModuleError::Malformed(_))
                ),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn an_element_segment_out_of_bounds_traps() {
        let outcome =
            instantiate(r#"(module (table 1 funcref) (func $f) (elem (i32.const 1) $f))"#);
        match outcome {
            Ok(Outcome::Trap(trap)) => assert_eq!(trap.kind, TrapKind::TableOutOfBounds),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn import_mismatches_do_not_link() {
        let engine = WasmiEngine::new();
        let mut store = engine.new_store(Limits::default());
        let exporter = engine
            .compile(&wasm(r#"(module (func (export "f") (param i32)))"#))
            .unwrap();
        let Ok(Outcome::Return(id)) = store.instantiate(&*exporter) else {
            panic!("the exporter instantiates");
        };
        store.register("m", id);
        let importer = engine
            .compile(&wasm(r#"(module (import "m" "f" (func (param i64))))"#))
            .unwrap();
        assert!(matches!(
            store.instantiate(&*importer),
            Err(ModuleError::Unlinkable(_))
        ));
    }

    #[test]
    fn a_memory_beyond_the_store_limits_is_a_resource_limit() {
        // 32 pages of 64 KiB is 2 MiB, more than `Limits::max_memory_bytes` allows here.
        let engine = WasmiEngine::new();
        let module = engine.compile(&wasm("(module (memory 32))")).unwrap();
        let limits = Limits {
            max_memory_bytes: 1 << 20,
            ..Limits::default()
        };
        assert!(matches!(
            engine.new_store(limits).instantiate(&*module),
            Ok(Outcome::Exhaustion(Exhaustion::Resource(_)))
        ));
    }

    #[test]
    fn declared_features_match_what_wasmi_rejects() {
        let engine = WasmiEngine::new();
        let f = engine.features();
        assert!(f.contains(Features::GC_TYPES));
        assert!(!f.contains(Features::CONST_GLOBAL_GET));
        assert!(!f.contains(Features::EXCEPTIONS));
        // `externref` runs ...
        let externref = wasm(
            r#"(module (func (export "f") (param externref) (result externref) (local.get 0)))"#,
        );
        assert!(engine.compile(&externref).is_ok());
        // ... a defined global read by a constant expression does not, and is unsupported
        // (valid, and outside the declared features), not invalid.
        let const_get = wasm("(module (global i32 (i32.const 0)) (global i32 (global.get 0)))");
        assert!(
            ModuleInfo::parse(&const_get)
                .unwrap()
                .features
                .contains(Features::CONST_GLOBAL_GET)
        );
        match engine.compile(&const_get) {
            Err(ModuleError::Unsupported(message)) => {
                assert!(message.starts_with("needs const-global-get: "), "{message}")
            }
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("wasmi 2.0 compiled a constant global.get of a defined global"),
        }
    }
}
