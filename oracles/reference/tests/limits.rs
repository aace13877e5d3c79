//! Budgets and the host: call depth and fuel are deterministic exhaustions, deep wasm recursion does not use the host stack, host functions and externrefs, ill-typed code is a reference bug.

mod common;

use common::{Instance, i32, i64};
use reference::exec::{Config, Extern, Store, Value};
use reference::syntax::{Func, FuncType, Instr, Module, ValType};
use reference::{Exhaustion, Stop};
use std::sync::Arc;

const RECURSE: &str = r#"(module
  (func $sum (export "sum") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (i64.add (local.get 0) (call $sum (i64.sub (local.get 0) (i64.const 1))))))))"#;

#[test]
fn the_call_depth_budget_is_exact_and_deterministic() {
    let config = Config {
        max_call_depth: 100,
        ..Config::default()
    };
    let mut m = Instance::with_config(RECURSE, config);
    // sum(n) takes n + 1 frames.
    assert_eq!(m.call("sum", &[i64(99)]), Ok(vec![i64(4950)]));
    for _ in 0..2 {
        assert_eq!(
            m.call("sum", &[i64(100)]),
            Err(Stop::Exhaustion(Exhaustion::CallStack))
        );
    }
    // The store is usable afterwards.
    assert_eq!(m.call("sum", &[i64(3)]), Ok(vec![i64(6)]));
}

#[test]
fn deep_wasm_recursion_does_not_use_the_host_stack() {
    // 200 000 nested wasm calls on a 256 KiB host thread: only explicit stacks grow.
    let handle = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(|| {
            let config = Config {
                max_call_depth: 1_000_000,
                ..Config::default()
            };
            let mut m = Instance::with_config(RECURSE, config);
            m.call("sum", &[i64(200_000)])
        })
        .unwrap();
    assert_eq!(handle.join().unwrap(), Ok(vec![i64(20_000_100_000)]));
}

#[test]
fn fuel_runs_out_deterministically() {
    let mut m = Instance::new(
        r#"(module
          (func (export "spin") (loop $l (br $l)))
          (func (export "count") (param i32) (result i32) (local i32)
            (loop $l
              (local.set 1 (i32.add (local.get 1) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
            (local.get 1)))"#,
    );
    m.store.set_fuel(10_000);
    assert_eq!(m.call("spin", &[]), Err(Stop::Exhaustion(Exhaustion::Fuel)));
    assert_eq!(m.store.fuel(), 0);
    m.store.set_fuel(1_000_000);
    assert_eq!(m.call("count", &[i32(1000)]), Ok(vec![i32(1000)]));
    let used = 1_000_000 - m.store.fuel();
    m.store.set_fuel(1_000_000);
    m.call("count", &[i32(1000)]).unwrap();
    assert_eq!(1_000_000 - m.store.fuel(), used);
    // One unit per instruction of the tree: the function body (12 instructions, counting the
    // loop's) on entry, then the loop body (8 instructions and its end) per iteration.
    assert_eq!(used, 12 + 1000 * 9);
    m.store.set_fuel(used - 1);
    assert_eq!(
        m.call("count", &[i32(1000)]),
        Err(Stop::Exhaustion(Exhaustion::Fuel))
    );
}

#[test]
fn host_functions_and_externrefs() {
    let mut store = Store::default();
    let ty = FuncType {
        params: Box::new([ValType::I32, ValType::I32]),
        results: Box::new([ValType::I32]),
    };
    let add = store.alloc_host_func(
        &ty,
        Arc::new(|args: &[Value]| match args {
            [Value::I32(a), Value::I32(b)] => vec![Value::I32(a * 10 + b)],
            other => panic!("{other:?}"),
        }),
    );
    let inst = common::instantiate(
        &mut store,
        r#"(module
          (import "host" "f" (func $f (param i32 i32) (result i32)))
          (table $t 1 externref)
          (func (export "call") (result i32) (call $f (i32.const 4) (i32.const 2)))
          (func (export "tail") (result i32) (return_call $f (i32.const 5) (i32.const 3)))
          (func (export "keep") (param externref) (table.set $t (i32.const 0) (local.get 0)))
          (func (export "get") (result externref) (table.get $t (i32.const 0))))"#,
        &[Extern::Func(add)],
    )
    .unwrap();
    let call = |store: &mut Store, name: &str, args: &[Value]| {
        let Some(Extern::Func(f)) = store.export(inst, name) else {
            panic!()
        };
        store.invoke(f, args)
    };
    assert_eq!(call(&mut store, "call", &[]), Ok(vec![i32(42)]));
    assert_eq!(call(&mut store, "tail", &[]), Ok(vec![i32(53)]));
    call(&mut store, "keep", &[Value::ExternRef(Some(77))]).unwrap();
    assert_eq!(
        call(&mut store, "get", &[]),
        Ok(vec![Value::ExternRef(Some(77))])
    );
}

#[test]
#[should_panic(expected = "reference interpreter bug: ill-typed operand stack")]
fn an_ill_typed_stack_is_a_reference_bug_not_a_trap() {
    // A module no validator would accept, built by hand: i32.add of an i64.
    let module = Module {
        types: vec![FuncType {
            params: Box::new([]),
            results: Box::new([ValType::I32]),
        }],
        funcs: vec![Func {
            ty: 0,
            params: 0,
            results: 1,
            locals: Box::new([]),
            body: Box::new([
                Instr::I32Const(1),
                Instr::I64Const(2),
                Instr::I32Add,
                Instr::Return,
            ]),
            br_tables: Box::new([]),
            catch_tables: Box::new([]),
            max_stack: 2,
        }],
        exports: vec![reference::syntax::Export {
            name: "f".into(),
            kind: reference::syntax::ExternKind::Func,
            index: 0,
        }],
        ..Module::default()
    };
    let mut store = Store::default();
    let inst = store.instantiate(&Arc::new(module), &[]).unwrap();
    let Some(Extern::Func(f)) = store.export(inst, "f") else {
        panic!()
    };
    let _ = store.invoke(f, &[]);
}
