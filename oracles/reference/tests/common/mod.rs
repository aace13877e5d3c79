//! Test helpers: one module instantiated in a fresh store, called by export name.

#![allow(
    dead_code,
    reason = "each test file uses a different subset of the helpers"
)]

use reference::exec::{Config, Extern, InstAddr, Memory, Store, Value};
use reference::{InstantiateError, Stop};
use std::sync::Arc;

/// One instance of a module in its own store.
pub struct Instance {
    pub store: Store,
    pub inst: InstAddr,
}

impl Instance {
    /// Instantiates `wat` in a store with the default configuration.
    pub fn new(wat: &str) -> Instance {
        Instance::with_config(wat, Config::default())
    }

    /// Instantiates `wat` in a store with `config`.
    pub fn with_config(wat: &str, config: Config) -> Instance {
        let mut store = Store::new(config);
        let inst = instantiate(&mut store, wat, &[]).expect("the module instantiates");
        Instance { store, inst }
    }

    /// Calls the exported function `name`.
    pub fn call(&mut self, name: &str, args: &[Value]) -> Result<Vec<Value>, Stop> {
        let Some(Extern::Func(f)) = self.store.export(self.inst, name) else {
            panic!("no exported function {name}")
        };
        self.store.invoke(f, args)
    }

    /// The exported memory `name`.
    pub fn memory(&self, name: &str) -> &Memory {
        let Some(Extern::Memory(m)) = self.store.export(self.inst, name) else {
            panic!("no exported memory {name}")
        };
        self.store.memory(m)
    }

    /// The value of the exported global `name`.
    pub fn global(&self, name: &str) -> Value {
        let Some(Extern::Global(g)) = self.store.export(self.inst, name) else {
            panic!("no exported global {name}")
        };
        self.store.global(g).value
    }

    /// The exported item `name`.
    pub fn export(&self, name: &str) -> Extern {
        self.store
            .export(self.inst, name)
            .unwrap_or_else(|| panic!("no export {name}"))
    }
}

/// Decodes and instantiates `wat` with `imports`.
pub fn instantiate(
    store: &mut Store,
    wat: &str,
    imports: &[Extern],
) -> Result<InstAddr, InstantiateError> {
    let wasm = wat::parse_str(wat).expect("the test module parses");
    let module = Arc::new(reference::decode(&wasm).expect("the test module decodes"));
    store.instantiate(&module, imports)
}

pub fn i32(x: i32) -> Value {
    Value::I32(x)
}

pub fn i64(x: i64) -> Value {
    Value::I64(x)
}
