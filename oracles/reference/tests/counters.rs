//! Execution counters: hand-computed counts on small modules, and counting never changes behaviour.

mod common;

use common::{Instance, i32, i64};
use reference::exec::{Config, Counters, Value};
use reference::{Stop, Trap};

const EXCEPTIONS: &str = r#"(module
  (tag $e (param i32))
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func $mid (param i32) (call $thrower (local.get 0)))
  (func (export "catch-here") (result i32)
    (block $h (result i32) (try_table (catch $e $h) (throw $e (i32.const 1))) (i32.const 0)))
  (func (export "catch-across") (result i32)
    (block $h (result i32) (try_table (catch $e $h) (call $mid (i32.const 2))) (i32.const 0)))
  (func (export "catch-ref-then-rethrow")
    (block $h (result i32 exnref) (try_table (catch_ref $e $h) (throw $e (i32.const 3))) (unreachable))
    (throw_ref)
    (unreachable))
  (func (export "catch-all-kinds") (result i32)
    (block $h1 (try_table (catch_all $h1) (throw $e (i32.const 4))))
    (block $h2 (result exnref) (try_table (catch_all_ref $h2) (throw $e (i32.const 5))) (unreachable))
    (drop)
    (i32.const 0))
  (func (export "null") (throw_ref (ref.null exn)))
  (func (export "escape") (call $mid (i32.const 6))))"#;

/// The counters after `f`, minus those before.
fn delta(m: &mut Instance, name: &str) -> (Result<Vec<Value>, Stop>, Counters) {
    let before = m.store.counters().clone();
    let r = m.call(name, &[]);
    let after = m.store.counters().clone();
    let d = Counters {
        thrown: after.thrown - before.thrown,
        throw_refs: after.throw_refs - before.throw_refs,
        caught: after.caught - before.caught,
        caught_across_frames: after.caught_across_frames - before.caught_across_frames,
        frames_unwound: after.frames_unwound - before.frames_unwound,
        caught_by_kind: std::array::from_fn(|i| after.caught_by_kind[i] - before.caught_by_kind[i]),
        uncaught: after.uncaught - before.uncaught,
        ..Counters::default()
    };
    (r, d)
}

#[test]
fn exception_counts_match_hand_computed_values() {
    let mut m = Instance::new(EXCEPTIONS);
    let (r, d) = delta(&mut m, "catch-here");
    assert_eq!(r, Ok(vec![i32(1)]));
    assert_eq!(
        d,
        Counters {
            thrown: 1,
            caught: 1,
            caught_by_kind: [1, 0, 0, 0],
            ..Counters::default()
        }
    );
    // $thrower and $mid are unwound before the catch in the exported function.
    let (r, d) = delta(&mut m, "catch-across");
    assert_eq!(r, Ok(vec![i32(2)]));
    assert_eq!(
        d,
        Counters {
            thrown: 1,
            caught: 1,
            caught_across_frames: 1,
            frames_unwound: 2,
            caught_by_kind: [1, 0, 0, 0],
            ..Counters::default()
        }
    );
    // throw, caught by catch_ref, rethrown by throw_ref out of the exported function.
    let (r, d) = delta(&mut m, "catch-ref-then-rethrow");
    assert!(matches!(r, Err(Stop::Exception(_))));
    assert_eq!(
        d,
        Counters {
            thrown: 2,
            throw_refs: 1,
            caught: 1,
            frames_unwound: 1,
            caught_by_kind: [0, 1, 0, 0],
            uncaught: 1,
            ..Counters::default()
        }
    );
    let (r, d) = delta(&mut m, "catch-all-kinds");
    assert_eq!(r, Ok(vec![i32(0)]));
    assert_eq!(
        d,
        Counters {
            thrown: 2,
            caught: 2,
            caught_by_kind: [0, 0, 1, 1],
            ..Counters::default()
        }
    );
    // throw_ref of null counts as a throw_ref but throws nothing.
    let (r, d) = delta(&mut m, "null");
    assert_eq!(r, Err(Stop::Trap(Trap::NullExceptionReference)));
    assert_eq!(
        d,
        Counters {
            throw_refs: 1,
            ..Counters::default()
        }
    );
    let (r, d) = delta(&mut m, "escape");
    assert!(matches!(r, Err(Stop::Exception(_))));
    assert_eq!(
        d,
        Counters {
            thrown: 1,
            frames_unwound: 3,
            uncaught: 1,
            ..Counters::default()
        }
    );
}

const MEMORY: &str = r#"(module
  (memory $m32 (export "m32") 1)
  (memory $m64 (export "m64") i64 1)
  (func (export "ld32") (param i32) (result i32) (i32.load $m32 (local.get 0)))
  (func (export "st32") (param i32) (i32.store $m32 (local.get 0) (i32.const 1)))
  (func (export "ld64") (param i64) (result i64) (i64.load $m64 (local.get 0)))
  (func (export "st8-64") (param i64) (i32.store8 $m64 offset=4 (local.get 0) (i32.const 9)))
  (func (export "fill64") (param i64 i64) (memory.fill $m64 (local.get 0) (i32.const 3) (local.get 1)))
  (func (export "copy64") (param i64 i64 i64) (memory.copy $m64 $m64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "grow32") (param i32) (result i32) (memory.grow $m32 (local.get 0)))
  (func (export "grow64") (param i64) (result i64) (memory.grow $m64 (local.get 0))))"#;

#[test]
fn memory_counts_match_hand_computed_values() {
    let mut m = Instance::new(MEMORY);
    m.call("ld32", &[i32(0)]).unwrap();
    assert!(m.call("st32", &[i32(65534)]).is_err());
    // 64-bit loads of 8 bytes in a 65536-byte memory: near the bound when the access ends
    // within 16 bytes of 65536 on either side.
    let loads: [(i64, bool, bool); 9] = [
        (0, false, false),
        (65504, false, false), // ends at 65512: 24 below
        (65512, false, true),  // ends at 65520: 16 below
        (65520, false, true),
        (65528, false, true), // ends exactly at the bound
        (65530, true, true),  // ends 2 past it
        (65544, true, true),  // ends 16 past it
        (65545, true, false), // 17 past
        (1 << 32, true, false),
    ];
    for (addr, traps, _) in loads {
        assert_eq!(m.call("ld64", &[i64(addr)]).is_err(), traps, "{addr}");
    }
    // addr + offset: the effective address counts, in full precision.
    assert!(m.call("st8-64", &[i64(-4)]).is_err());
    m.call("fill64", &[i64(65500), i64(36)]).unwrap();
    m.call("copy64", &[i64(0), i64(100), i64(8)]).unwrap();
    assert_eq!(m.call("grow32", &[i32(1)]), Ok(vec![i32(1)]));
    assert_eq!(m.call("grow32", &[i32(65536)]), Ok(vec![i32(-1)]));
    assert_eq!(m.call("grow64", &[i64(-1)]), Ok(vec![i64(-1)]));
    let near = loads.iter().filter(|l| l.2).count() as u64;
    let c = m.store.counters();
    assert_eq!(c.mem32_accesses, 2);
    // 9 loads, 1 store, 1 fill, 2 copy ranges
    assert_eq!(c.mem64_accesses, 13);
    // the loads above, and the fill ending at 65536
    assert_eq!(c.mem64_near_bound, near + 1);
    // 2^32, and 2^64 - 4 + 4 = 2^64
    assert_eq!(c.mem64_high, 2);
    assert_eq!((c.grow32, c.grow64, c.grow_failures), (2, 1, 2));
}

/// Every result of a workload, the final memories, and the counters.
type Observed = (Vec<Result<Vec<Value>, Stop>>, Vec<Vec<u8>>, Counters);

/// A mixed workload: every result and the final memories.
fn workload(count: bool, inspect: bool) -> Observed {
    let config = Config {
        count,
        ..Config::default()
    };
    let mut m = Instance::with_config(MEMORY, config);
    let mut e = Instance::with_config(EXCEPTIONS, config);
    let mut results = Vec::new();
    let calls: [(&str, Value); 8] = [
        ("ld64", i64(65530)),
        ("st32", i32(8)),
        ("st8-64", i64(60000)),
        ("fill64", i64(10)),
        ("grow64", i64(2)),
        ("st8-64", i64(131000)),
        ("ld32", i32(8)),
        ("ld64", i64(131072)),
    ];
    for (name, arg) in calls {
        let args = if name == "fill64" {
            vec![arg, i64(20)]
        } else {
            vec![arg]
        };
        results.push(m.call(name, &args));
        if inspect {
            let _ = m.store.counters().clone();
        }
    }
    for name in [
        "catch-here",
        "catch-across",
        "catch-ref-then-rethrow",
        "null",
        "escape",
    ] {
        results.push(e.call(name, &[]).map_err(|s| match s {
            // Exception addresses are per store; compare the payload instead.
            Stop::Exception(a) => Stop::Trap(if e.store.exn(a).fields[0] == i32(3) {
                Trap::Unreachable
            } else {
                Trap::IntegerOverflow
            }),
            other => other,
        }));
    }
    let mems = vec![m.memory("m32").to_vec(), m.memory("m64").to_vec()];
    let mut counters = m.store.counters().clone();
    let ec = e.store.counters();
    counters.thrown += ec.thrown;
    counters.caught += ec.caught;
    (results, mems, counters)
}

#[test]
fn counting_and_inspecting_counters_do_not_change_behaviour() {
    let (r1, m1, c1) = workload(true, true);
    let (r2, m2, _) = workload(true, false);
    let (r3, m3, c3) = workload(false, false);
    assert_eq!(r1, r2);
    assert_eq!(r1, r3);
    assert_eq!(m1, m2);
    assert_eq!(m1, m3);
    assert_eq!(c3, Counters::default());
    assert_ne!(c1, Counters::default());
}
