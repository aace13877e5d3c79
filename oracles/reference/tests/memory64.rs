//! Memory64 and bounds: one 64-bit address path, addr + offset overflow, stores that write nothing, bulk operations checked first, grow results in the index type, 64-bit tables.

mod common;

use common::{Instance, i32, i64};
use reference::exec::{Config, Memory, Store, Value};
use reference::{InstantiateError, Stop, Trap};

const OOB: Result<Vec<Value>, Stop> = Err(Stop::Trap(Trap::MemoryOutOfBounds));

fn bytes(m: &Memory, at: u64, n: usize) -> Vec<u8> {
    let mut buf = vec![0; n];
    m.read(at, &mut buf).unwrap();
    buf
}

#[test]
fn a_partially_out_of_bounds_store_writes_nothing() {
    let mut m = Instance::new(
        r#"(module
          (memory (export "m64") i64 1)
          (memory (export "m32") 1)
          (func (export "st64") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
          (func (export "st32") (param i32 i32) (i32.store 1 (local.get 0) (local.get 1))))"#,
    );
    m.call("st64", &[i64(65528), i64(0x0102_0304_0506_0708)])
        .unwrap();
    assert_eq!(m.call("st64", &[i64(65532), i64(-1)]), OOB);
    assert_eq!(bytes(m.memory("m64"), 65528, 8), [8, 7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(m.call("st32", &[i32(65533), i32(-1)]), OOB);
    assert_eq!(bytes(m.memory("m32"), 65532, 4), [0; 4]);
}

#[test]
fn the_effective_address_does_not_wrap() {
    let mut m = Instance::new(
        r#"(module
          (memory i64 1)
          (data (i64.const 0) "\2a")
          (func (export "off-max") (param i64) (result i32) (i32.load8_u offset=0xffffffffffffffff (local.get 0)))
          (func (export "off-high") (param i64) (result i64) (i64.load offset=0xfffffffffffffff0 (local.get 0)))
          (func (export "off8") (param i64) (result i32) (i32.load8_u offset=8 (local.get 0))))"#,
    );
    // 1 + (2^64 - 1) would wrap to 0, where the byte 0x2a is.
    assert_eq!(m.call("off-max", &[i64(1)]), OOB);
    assert_eq!(m.call("off-high", &[i64(0x10)]), OOB);
    assert_eq!(m.call("off8", &[i64(-8)]), OOB);
    assert_eq!(m.call("off8", &[i64(65527)]), Ok(vec![i32(0)]));
    assert_eq!(m.call("off8", &[i64(65528)]), OOB);
    // An i32 address is zero-extended: -1 is 2^32 - 1, not -1.
    let mut m32 = Instance::new(
        r#"(module (memory 1) (func (export "ld") (param i32) (result i32) (i32.load8_u offset=0xffffffff (local.get 0))))"#,
    );
    assert_eq!(m32.call("ld", &[i32(1)]), OOB);
}

#[test]
fn memory_grow_fails_with_minus_one_of_the_index_type() {
    let mut m = Instance::new(
        r#"(module
          (memory $a i64 1 3)
          (memory $b 1 3)
          (func (export "g64") (param i64) (result i64) (memory.grow $a (local.get 0)))
          (func (export "g32") (param i32) (result i32) (memory.grow $b (local.get 0)))
          (func (export "s64") (result i64) (memory.size $a)))"#,
    );
    assert_eq!(m.call("g64", &[i64(3)]), Ok(vec![i64(-1)]));
    assert_eq!(m.call("g64", &[i64(-1)]), Ok(vec![i64(-1)]));
    assert_eq!(m.call("g64", &[i64(1 << 48)]), Ok(vec![i64(-1)]));
    assert_eq!(m.call("g64", &[i64(2)]), Ok(vec![i64(1)]));
    assert_eq!(m.call("s64", &[]), Ok(vec![i64(3)]));
    assert_eq!(m.call("g32", &[i32(3)]), Ok(vec![i32(-1)]));
    assert_eq!(m.call("g32", &[i32(2)]), Ok(vec![i32(1)]));
    let c = m.store.counters();
    assert_eq!((c.grow64, c.grow32, c.grow_failures), (4, 2, 4));
}

#[test]
fn the_hosts_memory_limit_refuses_grows_and_large_minimums() {
    let config = Config {
        max_memory_bytes: 4 * 65536,
        ..Config::default()
    };
    let mut m = Instance::with_config(
        r#"(module (memory i64 1) (func (export "g") (param i64) (result i64) (memory.grow (local.get 0))))"#,
        config,
    );
    assert_eq!(m.call("g", &[i64(4)]), Ok(vec![i64(-1)]));
    assert_eq!(m.call("g", &[i64(3)]), Ok(vec![i64(1)]));
    let mut store = Store::new(config);
    let r = common::instantiate(&mut store, "(module (memory i64 5))", &[]);
    assert!(matches!(r, Err(InstantiateError::Resource(_))), "{r:?}");
}

#[test]
fn bulk_operations_check_their_ranges_before_writing() {
    let mut m = Instance::new(
        r#"(module
          (memory (export "m") i64 1)
          (data $d "\01\02\03\04")
          (func (export "fill") (param i64 i32 i64) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
          (func (export "copy") (param i64 i64 i64) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
          (func (export "init") (param i64 i32 i32) (memory.init $d (local.get 0) (local.get 1) (local.get 2))))"#,
    );
    assert_eq!(m.call("fill", &[i64(65530), i32(0xff), i64(7)]), OOB);
    assert_eq!(bytes(m.memory("m"), 65530, 6), [0; 6]);
    assert_eq!(m.call("fill", &[i64(-1), i32(1), i64(2)]), OOB);
    m.call("fill", &[i64(0), i32(0x55), i64(16)]).unwrap();
    assert_eq!(m.call("copy", &[i64(65530), i64(0), i64(16)]), OOB);
    assert_eq!(bytes(m.memory("m"), 65520, 16), [0; 16]);
    assert_eq!(m.call("init", &[i64(65534), i32(0), i32(4)]), OOB);
    assert_eq!(m.call("init", &[i64(100), i32(2), i32(3)]), OOB);
    assert_eq!(bytes(m.memory("m"), 100, 4), [0; 4]);
    m.call("init", &[i64(100), i32(1), i32(3)]).unwrap();
    assert_eq!(bytes(m.memory("m"), 100, 4), [2, 3, 4, 0]);
    // Empty ranges: at the bound fine, past it a trap.
    m.call("fill", &[i64(65536), i32(1), i64(0)]).unwrap();
    assert_eq!(m.call("fill", &[i64(65537), i32(1), i64(0)]), OOB);
}

#[test]
fn data_segments_that_do_not_fit_trap_and_earlier_ones_persist() {
    let mut store = Store::default();
    let exporter =
        common::instantiate(&mut store, r#"(module (memory (export "mem") i64 1))"#, &[]).unwrap();
    let mem = store.export(exporter, "mem").unwrap();
    let r = common::instantiate(
        &mut store,
        r#"(module (import "x" "mem" (memory i64 1))
             (data (i64.const 10) "\07") (data (i64.const 65535) "\01\02") (data (i64.const 20) "\09"))"#,
        &[mem],
    );
    assert!(matches!(
        r,
        Err(InstantiateError::Stopped {
            stop: Stop::Trap(Trap::MemoryOutOfBounds),
            ..
        })
    ));
    let reference::exec::Extern::Memory(a) = mem else {
        panic!()
    };
    assert_eq!(bytes(store.memory(a), 10, 1), [7]);
    assert_eq!(bytes(store.memory(a), 65535, 1), [0]);
    assert_eq!(bytes(store.memory(a), 20, 1), [0]);
}

#[test]
fn tables_with_64_bit_indices() {
    let mut m = Instance::new(
        r#"(module
          (table $t i64 2 10 funcref)
          (type $r (func (result i32)))
          (func $one (result i32) (i32.const 1))
          (elem (table $t) (i64.const 0) func $one)
          (func (export "size") (result i64) (table.size $t))
          (func (export "grow") (param i64) (result i64) (table.grow $t (ref.null func) (local.get 0)))
          (func (export "get-null") (param i64) (result i32) (ref.is_null (table.get $t (local.get 0))))
          (func (export "call") (param i64) (result i32) (call_indirect $t (type $r) (local.get 0))))"#,
    );
    assert_eq!(m.call("grow", &[i64(9)]), Ok(vec![i64(-1)]));
    assert_eq!(m.call("grow", &[i64(-1)]), Ok(vec![i64(-1)]));
    assert_eq!(m.call("grow", &[i64(2)]), Ok(vec![i64(2)]));
    assert_eq!(m.call("size", &[]), Ok(vec![i64(4)]));
    assert_eq!(
        m.call("get-null", &[i64(1 << 32)]),
        Err(Stop::Trap(Trap::TableOutOfBounds))
    );
    assert_eq!(m.call("call", &[i64(0)]), Ok(vec![i32(1)]));
    assert_eq!(
        m.call("call", &[i64(1)]),
        Err(Stop::Trap(Trap::UninitializedElement))
    );
    assert_eq!(
        m.call("call", &[i64(1 << 32)]),
        Err(Stop::Trap(Trap::UndefinedElement))
    );
}

#[test]
fn a_declared_eight_gib_memory_costs_only_the_pages_touched() {
    let mut m = Instance::new(
        r#"(module
          (memory (export "m") i64 131072)
          (func (export "st") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
          (func (export "ld") (param i64) (result i64) (i64.load (local.get 0)))
          (func (export "fill") (param i64 i32 i64) (memory.fill (local.get 0) (local.get 1) (local.get 2))))"#,
    );
    for (i, addr) in [5i64 << 30, (6 << 30) + 17, (8 << 30) - 8]
        .into_iter()
        .enumerate()
    {
        m.call("st", &[i64(addr), i64(i as i64 + 1)]).unwrap();
        assert_eq!(m.call("ld", &[i64(addr)]), Ok(vec![i64(i as i64 + 1)]));
    }
    assert_eq!(m.call("ld", &[i64(8 << 30)]), OOB);
    // Zero-filling a GiB allocates nothing.
    m.call("fill", &[i64(1 << 32), i32(0), i64(1 << 30)])
        .unwrap();
    let resident = m.memory("m").resident_bytes();
    assert!(resident <= (16 << 20) + 4 * 65536, "{resident}");
    let c = m.store.counters();
    assert_eq!(c.mem64_high, 8);
}
