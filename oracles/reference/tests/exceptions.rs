//! Exception handling: handler placement, clause order, tag identity, what each catch kind pushes, throw_ref identity, tail calls and traps.

mod common;

use common::{Instance, i32, instantiate};
use reference::exec::{Extern, Store, Value};
use reference::{Stop, Trap};

#[test]
fn catch_labels_resolve_in_the_context_enclosing_the_try_table() {
    let mut m = Instance::new(
        r#"(module
          (tag $e (param i32))
          (func (export "label0") (result i32)
            (block (result i32)
              (try_table (result i32) (catch $e 0) (throw $e (i32.const 5)))
              (i32.add (i32.const 100)))
            (i32.add (i32.const 10)))
          (func (export "label1") (result i32)
            (block (result i32)
              (block (result i32)
                (try_table (result i32) (catch $e 1) (throw $e (i32.const 7)))
                (i32.add (i32.const 100)))
              (i32.add (i32.const 1000)))
            (i32.add (i32.const 10))))"#,
    );
    // Label 0 of the clause is the block around the try_table: the payload lands there and the
    // code after the try_table (+100) is skipped.
    assert_eq!(m.call("label0", &[]), Ok(vec![i32(15)]));
    assert_eq!(m.call("label1", &[]), Ok(vec![i32(17)]));
}

#[test]
fn branches_count_the_label_but_not_the_handler_and_leave_it() {
    let mut m = Instance::new(
        r#"(module
          (tag $e (param i32))
          (func (export "br2") (result i32)
            (block $outer (result i32)
              (block $h
                (try_table (catch_all $h) (br 2 (i32.const 3)))
                (return (i32.const 200)))
              (i32.const 300))
            (i32.add (i32.const 100)))
          (func (export "throw-after-br") (result i32)
            (block $h (result i32)
              (try_table (catch $e $h) (br 0))
              (throw $e (i32.const 1)))
            (i32.add (i32.const 1000)))
          (func (export "throw-after-end") (result i32)
            (block $h (result i32)
              (try_table (catch $e $h) (nop))
              (throw $e (i32.const 2)))
            (i32.add (i32.const 1000))))"#,
    );
    assert_eq!(m.call("br2", &[]), Ok(vec![i32(103)]));
    assert!(matches!(
        m.call("throw-after-br", &[]),
        Err(Stop::Exception(_))
    ));
    assert!(matches!(
        m.call("throw-after-end", &[]),
        Err(Stop::Exception(_))
    ));
}

#[test]
fn clauses_are_tried_in_order_and_the_first_match_wins() {
    let mut m = Instance::new(
        r#"(module
          (tag $a (param i32))
          (tag $b (param i32))
          (func (export "specific-first") (result i32)
            (block $all
              (block $one (result i32)
                (try_table (result i32) (catch $a $one) (catch_all $all) (throw $a (i32.const 1))))
              (i32.add (i32.const 100))
              (return))
            (i32.const 200))
          (func (export "all-first") (result i32)
            (block $all
              (block $one (result i32)
                (try_table (result i32) (catch_all $all) (catch $a $one) (throw $a (i32.const 1))))
              (i32.add (i32.const 100))
              (return))
            (i32.const 200))
          (func (export "second") (result i32)
            (block $second (result i32)
              (block $first (result i32)
                (try_table (result i32) (catch $a $first) (catch $b $second) (throw $b (i32.const 2))))
              (i32.add (i32.const 100))
              (return))
            (i32.add (i32.const 300))))"#,
    );
    assert_eq!(m.call("specific-first", &[]), Ok(vec![i32(101)]));
    assert_eq!(m.call("all-first", &[]), Ok(vec![i32(200)]));
    assert_eq!(m.call("second", &[]), Ok(vec![i32(302)]));
}

const TAGS: &str = r#"(module
  (tag $t (export "t") (param i32))
  (func (export "throw") (param i32) (throw $t (local.get 0))))"#;

#[test]
fn tags_match_by_instance_identity_not_by_signature() {
    let mut store = Store::default();
    let a = instantiate(&mut store, TAGS, &[]).unwrap();
    let b = instantiate(&mut store, TAGS, &[]).unwrap();
    let (Some(Extern::Tag(ta)), Some(Extern::Tag(tb))) =
        (store.export(a, "t"), store.export(b, "t"))
    else {
        panic!("tags exported")
    };
    // Two instantiations of one module: two tags, though identical in every other way.
    assert_ne!(ta, tb);
    let throw_a = store.export(a, "throw").unwrap();
    let user = instantiate(
        &mut store,
        r#"(module
          (import "a" "t" (tag $ta (param i32)))
          (import "b" "t" (tag $tb (param i32)))
          (import "a" "throw" (func $throw_a (param i32)))
          (tag $own (param i32))
          (func (export "caught-by") (param i32) (result i32)
            (block $own_h (result i32)
              (block $tb_h (result i32)
                (block $ta_h (result i32)
                  (try_table (catch $own $own_h) (catch $tb $tb_h) (catch $ta $ta_h)
                    (call $throw_a (local.get 0)))
                  (return (i32.const -1)))
                (return (i32.add (i32.const 1000))))
              (return (i32.add (i32.const 2000))))
            (i32.add (i32.const 3000))))"#,
        &[Extern::Tag(ta), Extern::Tag(tb), throw_a],
    )
    .unwrap();
    let Some(Extern::Func(f)) = store.export(user, "caught-by") else {
        panic!()
    };
    // Only the clause naming a's tag (imported as $ta) matches, though $own and $tb have the
    // same signature and come first.
    assert_eq!(store.invoke(f, &[i32(4)]), Ok(vec![i32(1004)]));
}

#[test]
fn catch_kinds_push_payload_then_reference() {
    let mut m = Instance::new(
        r#"(module
          (tag $e (export "e") (param i32 i64))
          (func (export "catch") (result i32 i64)
            (block $h (result i32 i64)
              (try_table (catch $e $h) (throw $e (i32.const 1) (i64.const 2)))
              (unreachable)))
          (func (export "catch_ref") (result i32 i64 exnref)
            (block $h (result i32 i64 exnref)
              (try_table (catch_ref $e $h) (throw $e (i32.const 3) (i64.const 4)))
              (unreachable)))
          (func (export "catch_all") (result i32)
            (i32.const 7)
            (block $h
              (try_table (catch_all $h) (throw $e (i32.const 5) (i64.const 6)))
              (unreachable)))
          (func (export "catch_all_ref") (result exnref)
            (block $h (result exnref)
              (try_table (catch_all_ref $h) (throw $e (i32.const 8) (i64.const 9)))
              (unreachable))))"#,
    );
    let Extern::Tag(e) = m.export("e") else {
        panic!()
    };
    assert_eq!(m.call("catch", &[]), Ok(vec![i32(1), Value::I64(2)]));
    let Ok(vals) = m.call("catch_ref", &[]) else {
        panic!()
    };
    let [Value::I32(3), Value::I64(4), Value::ExnRef(Some(x))] = vals[..] else {
        panic!("{vals:?}")
    };
    assert_eq!(m.store.exn(x).tag, e);
    assert_eq!(&m.store.exn(x).fields[..], &[i32(3), Value::I64(4)]);
    assert_eq!(m.call("catch_all", &[]), Ok(vec![i32(7)]));
    let Ok(vals) = m.call("catch_all_ref", &[]) else {
        panic!()
    };
    let [Value::ExnRef(Some(y))] = vals[..] else {
        panic!("{vals:?}")
    };
    assert_eq!(&m.store.exn(y).fields[..], &[i32(8), Value::I64(9)]);
    assert_ne!(x, y);
}

#[test]
fn throw_ref_rethrows_the_very_same_exception_object() {
    let mut m = Instance::new(
        r#"(module
          (tag $e (param i32))
          (global $g (mut exnref) (ref.null exn))
          (func (export "make") (result exnref)
            (block $h (result exnref)
              (try_table (catch_all_ref $h) (throw $e (i32.const 1)))
              (unreachable)))
          (func (export "rethrow") (param exnref) (throw_ref (local.get 0)))
          (func (export "save") (param exnref) (global.set $g (local.get 0)))
          (func (export "rethrow-saved-twice") (result exnref)
            (block $h (result exnref)
              (try_table (catch_all_ref $h) (throw_ref (global.get $g)))
              (unreachable))
            (throw_ref)))"#,
    );
    let Ok(v) = m.call("make", &[]) else { panic!() };
    let Value::ExnRef(Some(a)) = v[0] else {
        panic!()
    };
    assert_eq!(m.call("rethrow", &[v[0]]), Err(Stop::Exception(a)));
    m.call("save", &[v[0]]).unwrap();
    // Caught again with catch_all_ref and rethrown: still the same object.
    assert_eq!(m.call("rethrow-saved-twice", &[]), Err(Stop::Exception(a)));
    assert_eq!(m.store.counters().thrown, 4);
}

#[test]
fn throw_ref_of_null_traps_with_the_spec_message() {
    let mut m = Instance::new(
        r#"(module
          (func (export "null") (param exnref)
            (block $h
              (try_table (catch_all $h) (throw_ref (local.get 0))))))"#,
    );
    let r = m.call("null", &[Value::ExnRef(None)]);
    assert_eq!(r, Err(Stop::Trap(Trap::NullExceptionReference)));
    assert_eq!(
        Trap::NullExceptionReference.message(),
        "null exception reference"
    );
}

#[test]
fn traps_are_never_caught() {
    let mut m = Instance::new(
        r#"(module
          (memory 1)
          (table 1 funcref)
          (type $v (func))
          (func $trap (unreachable))
          (func (export "unreachable") (block $h (try_table (catch_all $h) (unreachable))))
          (func (export "div") (result i32)
            (block $h (try_table (result i32) (catch_all $h) (i32.div_u (i32.const 1) (i32.const 0))) (return))
            (i32.const -1))
          (func (export "oob") (result i32)
            (block $h (try_table (result i32) (catch_all $h) (i32.load (i32.const 65535))) (return))
            (i32.const -1))
          (func (export "in-callee") (block $h (try_table (catch_all $h) (call $trap))))
          (func (export "null-element") (block $h (try_table (catch_all $h) (call_indirect (type $v) (i32.const 0))))))"#,
    );
    assert_eq!(
        m.call("unreachable", &[]),
        Err(Stop::Trap(Trap::Unreachable))
    );
    assert_eq!(
        m.call("div", &[]),
        Err(Stop::Trap(Trap::IntegerDivideByZero))
    );
    assert_eq!(m.call("oob", &[]), Err(Stop::Trap(Trap::MemoryOutOfBounds)));
    assert_eq!(m.call("in-callee", &[]), Err(Stop::Trap(Trap::Unreachable)));
    assert_eq!(
        m.call("null-element", &[]),
        Err(Stop::Trap(Trap::UninitializedElement))
    );
    assert_eq!(m.store.counters().caught, 0);
}

#[test]
fn a_tail_call_removes_the_callers_handlers() {
    let mut m = Instance::new(
        r#"(module
          (tag $e (param i32))
          (type $r (func (result i32)))
          (table funcref (elem $thrower))
          (func $thrower (result i32) (throw $e (i32.const 1)))
          (func $tail (result i32)
            (block $h (result i32)
              (try_table (catch $e $h) (return_call $thrower))
              (unreachable))
            (i32.add (i32.const 100)))
          (func $tail-indirect (result i32)
            (block $h (result i32)
              (try_table (catch $e $h) (return_call_indirect (type $r) (i32.const 0)))
              (unreachable))
            (i32.add (i32.const 100)))
          (func $plain (result i32)
            (block $h (result i32)
              (try_table (catch $e $h) (drop (call $thrower)))
              (unreachable))
            (i32.add (i32.const 100)))
          (func (export "tail") (result i32) (call $tail))
          (func (export "tail-indirect") (result i32) (call $tail-indirect))
          (func (export "plain") (result i32) (call $plain))
          (func (export "outer") (result i32)
            (block $h (result i32)
              (try_table (result i32) (catch $e $h) (call $tail)))
            (i32.add (i32.const 10))))"#,
    );
    assert!(matches!(m.call("tail", &[]), Err(Stop::Exception(_))));
    assert!(matches!(
        m.call("tail-indirect", &[]),
        Err(Stop::Exception(_))
    ));
    assert_eq!(m.call("plain", &[]), Ok(vec![i32(101)]));
    assert_eq!(m.call("outer", &[]), Ok(vec![i32(11)]));
}

#[test]
fn an_exception_escaping_the_start_function_fails_instantiation() {
    let mut store = Store::default();
    let r = instantiate(
        &mut store,
        r#"(module (tag $e (export "e") (param i32)) (func $s (throw $e (i32.const 9))) (start $s))"#,
        &[],
    );
    let Err(reference::InstantiateError::Stopped {
        instance,
        stop: Stop::Exception(a),
    }) = r
    else {
        panic!("{r:?}")
    };
    // The instance was allocated: its tag resolves the exception's.
    assert_eq!(store.instance(instance).tags, vec![store.exn(a).tag]);
    assert_eq!(&store.exn(a).fields[..], &[i32(9)]);
    assert_eq!(store.counters().uncaught, 1);
}

#[test]
fn garbage_exceptions_are_reused_but_reachable_ones_keep_their_identity() {
    let mut m = Instance::new(
        r#"(module
          (tag $e (param i32))
          (global $kept (mut exnref) (ref.null exn))
          (func (export "churn") (param i32) (result exnref)
            (local $i i32) (local $x exnref)
            (loop $l
              (block $h (result i32 exnref)
                (try_table (catch_ref $e $h) (throw $e (local.get $i)))
                (unreachable))
              (local.set $x)
              (drop)
              (if (i32.eq (local.get $i) (i32.const 7)) (then (global.set $kept (local.get $x))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (local.get 0))))
            (local.get $x))
          (func (export "kept") (result exnref) (global.get $kept)))"#,
    );
    let Ok(r) = m.call("churn", &[i32(10_000)]) else {
        panic!()
    };
    let Value::ExnRef(Some(last)) = r[0] else {
        panic!()
    };
    let Ok(k) = m.call("kept", &[]) else { panic!() };
    let Value::ExnRef(Some(kept)) = k[0] else {
        panic!()
    };
    let slots = m.store.exn_slots();
    assert_eq!(slots, 10_000);
    // The next 10 000 throws reuse the slots of the first call's garbage.
    m.call("churn", &[i32(10_000)]).unwrap();
    assert_eq!(m.store.exn_slots(), slots + 2);
    // What the host saw, or can still reach, is intact.
    assert_eq!(&m.store.exn(kept).fields[..], &[i32(7)]);
    assert_eq!(&m.store.exn(last).fields[..], &[i32(9_999)]);
}
