//! Exception-handling mutants: clause selection, payload order, exnref identity, unwinding through indirect calls, tail calls and many frames, each wrong for one shape of the spec's rules.

use super::Category::Exceptions;
use super::Mutant;
use super::body::{Body, Skip, numeric, zero};
use crate::engine::EngineKind::Cranelift;
use wasm_encoder::{BlockType, Catch, Instruction as I};
use wasmparser::{Operator as O, RefType, ValType};

const EXNREF: ValType = ValType::Ref(RefType::EXNREF);

/// `eh-clauses-reversed`: the catch clauses of a `try_table` tried last to first.
pub const CLAUSES_REVERSED: Mutant = mutant! {
    name: "eh-clauses-reversed",
    category: Exceptions,
    host: Cranelift,
    rule: "spec try_table: the catch clauses are tried in order and the first that matches the exception's tag is taken",
    trigger: "an exception caught by a try_table with two or more clauses that match it, going to different places",
    rewrite: clauses_reversed,
};

/// Every `try_table` with two or more clauses has them in reverse order, as if the handler
/// table had been built back to front.
fn clauses_reversed(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let O::TryTable { try_table } = &b.ops[i] else {
            return Ok(0);
        };
        if try_table.catches.len() < 2 {
            return Ok(0);
        }
        let try_table = try_table.clone();
        let clauses: Vec<Catch> = try_table
            .catches
            .iter()
            .rev()
            .map(|c| b.remap_clause(c, 0))
            .collect();
        b.mark_changed();
        b.open_try_table(try_table, 0, vec![], Some(clauses))?;
        Ok(1)
    })
}

/// `eh-payload-swapped`: the last two payload values of a caught exception delivered in the
/// wrong order.
pub const PAYLOAD_SWAPPED: Mutant = mutant! {
    name: "eh-payload-swapped",
    category: Exceptions,
    host: Cranelift,
    rule: "spec try_table catch clause: the payload values are pushed in the order of the tag's parameters, then br l",
    trigger: "an exception caught by a `catch` clause (not catch_ref) of a tag whose last two parameters have the same numeric type",
    rewrite: payload_swapped,
};

/// The last two values of a payload delivered by a `catch` clause swapped. The clause goes to
/// a synthetic landing block around the `try_table`, which swaps them and branches on.
fn payload_swapped(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        let O::TryTable { try_table } = &b.ops[i] else {
            return Ok(0);
        };
        let try_table = try_table.clone();
        let found = try_table.catches.iter().enumerate().find_map(|(n, c)| {
            let wasmparser::Catch::One { tag, label } = *c else {
                return None;
            };
            let params = b.shape.tag_params(tag)?;
            let [.., x, y] = params else { return None };
            (x == y && numeric(*x)).then(|| (n, tag, label, params.to_vec()))
        });
        let Some((n, tag, label, params)) = found else {
            return Ok(0);
        };
        let (p, r) = b.resolve(try_table.ty)?;
        let exit = b.block_type(&p, &r);
        let landing = b.block_type(&p, &params);
        let onward = b.remap(label) + 1;
        let t = params[params.len() - 1];
        let x1 = b.local(t);
        let x0 = b.local(t);
        let clauses: Vec<Catch> = try_table
            .catches
            .iter()
            .enumerate()
            .map(|(k, c)| {
                if k == n {
                    Catch::One { tag, label: 0 }
                } else {
                    b.remap_clause(c, 2)
                }
            })
            .collect();
        b.emit_all([I::Block(exit), I::Block(landing)]);
        let after = Body::encoded([
            I::Br(1),
            I::End,
            I::LocalSet(x1),
            I::LocalSet(x0),
            I::LocalGet(x1),
            I::LocalGet(x0),
            I::Br(onward),
            I::End,
        ]);
        b.open_try_table(try_table, 2, after, Some(clauses))?;
        Ok(1)
    })
}

/// `eh-throw-ref-fresh`: `throw_ref` inside a handler region throwing a new exception
/// instead of rethrowing the same one.
pub const THROW_REF_FRESH: Mutant = mutant! {
    name: "eh-throw-ref-fresh",
    category: Exceptions,
    host: Cranelift,
    rule: "spec throw_ref: rethrows the exception the exnref refers to (the same exception object, so exnref identity is preserved)",
    trigger: "throw_ref inside a try_table of the same function, the rethrown exception's identity later observed",
    rewrite: throw_ref_fresh,
};

/// `throw_ref` lexically inside a `try_table` allocates a fresh exception with the same tag
/// and payload: the exception is caught locally by one clause per tag of the module and
/// thrown again with `throw`.
fn throw_ref_fresh(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        if !matches!(b.ops[i], O::ThrowRef) || !b.inside_try_table() {
            return Ok(0);
        }
        let tags = b.shape.tags.len() as u32;
        if tags == 0 || tags > 16 {
            return Ok(0);
        }
        let mut payloads = Vec::new();
        for tag in 0..tags {
            let Some(params) = b.shape.tag_params(tag) else {
                return Ok(0);
            };
            payloads.push(params.to_vec());
        }
        let x = b.local(EXNREF);
        b.emit(I::LocalSet(x));
        for tag in (0..tags).rev() {
            let ty = b.block_type(&[], &payloads[tag as usize]);
            b.emit(I::Block(ty));
        }
        let clauses: Vec<Catch> = (0..tags)
            .map(|tag| Catch::One { tag, label: tag })
            .collect();
        b.emit_all([
            I::TryTable(BlockType::Empty, clauses.into()),
            I::LocalGet(x),
            I::ThrowRef,
            I::End,
            I::Unreachable,
        ]);
        for tag in 0..tags {
            b.emit_all([I::End, I::Throw(tag)]);
        }
        Ok(1)
    })
}

/// `eh-return-call-handler`: a tail call inside a `try_table` keeping the caller's handlers.
pub const RETURN_CALL_HANDLER: Mutant = mutant! {
    name: "eh-return-call-handler",
    category: Exceptions,
    host: Cranelift,
    rule: "spec return_call: the caller's frame, with the handlers of its try_tables, is gone before the callee runs",
    trigger: "return_call, return_call_indirect or return_call_ref inside a try_table whose clauses catch what the callee throws",
    rewrite: return_call_handler,
};

/// A tail call inside a `try_table` becomes a call followed by `return`, so the caller's
/// handlers still catch what the callee throws.
fn return_call_handler(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| {
        if !b.inside_try_table() {
            return Ok(0);
        }
        let call = match b.ops[i] {
            O::ReturnCall { function_index } => I::Call(function_index),
            O::ReturnCallIndirect {
                type_index,
                table_index,
            } => I::CallIndirect {
                type_index,
                table_index,
            },
            O::ReturnCallRef { type_index } => I::CallRef(type_index),
            _ => return Ok(0),
        };
        b.emit_all([call, I::Return]);
        Ok(1)
    })
}

/// `eh-call-indirect-skip`: an exception out of a `call_indirect` skipping the handlers of
/// the `try_table` around the call.
pub const CALL_INDIRECT_SKIP: Mutant = mutant! {
    name: "eh-call-indirect-skip",
    category: Exceptions,
    host: Cranelift,
    rule: "spec throw: the innermost handler on the stack catches, however its frame made the call; wasmtime translates calls inside try_table to try_call / try_call_indirect",
    trigger: "an exception thrown through a call_indirect directly inside a try_table with a clause that catches it",
    rewrite: call_indirect_skip,
};

/// Whether the `try_table` at `i` has a `call_indirect` of its own (not inside a nested
/// `try_table`).
fn has_own_call_indirect(ops: &[O], i: usize) -> bool {
    let mut depth = 0usize;
    let mut nested_try: Vec<usize> = Vec::new();
    for op in &ops[i..] {
        match op {
            O::Block { .. } | O::Loop { .. } | O::If { .. } => depth += 1,
            O::TryTable { .. } => {
                if depth > 0 {
                    nested_try.push(depth);
                }
                depth += 1;
            }
            O::End => {
                depth -= 1;
                if nested_try.last() == Some(&depth) {
                    nested_try.pop();
                }
                if depth == 0 {
                    return false;
                }
            }
            O::CallIndirect { .. } if nested_try.is_empty() => return true,
            _ => {}
        }
    }
    false
}

/// Every `call_indirect` directly inside a `try_table` is wrapped in a synthetic
/// `try_table (catch_all_ref)` that hands the exception to a landing block outside the
/// enclosing `try_table`, where it is rethrown: the enclosing handlers never see it, as if
/// the indirect call site had no exception-table entry.
fn call_indirect_skip(b: &mut Body) -> Result<(), Skip> {
    b.each(|b, i| match &b.ops[i] {
        O::TryTable { try_table } => {
            if !has_own_call_indirect(&b.ops, i) {
                return Ok(0);
            }
            let try_table = try_table.clone();
            let (p, r) = b.resolve(try_table.ty)?;
            let exit = b.block_type(&p, &r);
            let landing = b.block_type(&p, &[EXNREF]);
            b.emit_all([I::Block(exit), I::Block(landing)]);
            let after = Body::encoded([I::Br(1), I::End, I::ThrowRef, I::End]);
            b.open_try_table(try_table, 2, after, None)?;
            b.mark_top();
            Ok(1)
        }
        O::CallIndirect {
            type_index,
            table_index,
        } => {
            let (type_index, table_index) = (*type_index, *table_index);
            let Some(k) = b.innermost_try_table() else {
                return Ok(0);
            };
            if !b.frames[k].mark {
                return Ok(0);
            }
            let Some(f) = b.shape.func_type(type_index) else {
                return Ok(0);
            };
            let Some(table) = b.shape.tables.get(table_index as usize) else {
                return Ok(0);
            };
            let mut params = f.params().to_vec();
            params.push(if table.table64 {
                ValType::I64
            } else {
                ValType::I32
            });
            let results = f.results().to_vec();
            let ty = b.block_type(&params, &results);
            let landing = b.depth_of(k) + 1;
            b.emit(I::TryTable(
                ty,
                vec![Catch::AllRef { label: landing }].into(),
            ));
            b.pass(i)?;
            b.emit(I::End);
            Ok(1)
        }
        _ => Ok(0),
    })
}

/// `eh-deep-unwind`: the first payload value of an exception lost when it was caught after
/// unwinding three frames or more.
pub const DEEP_UNWIND: Mutant = mutant! {
    name: "eh-deep-unwind",
    category: Exceptions,
    host: Cranelift,
    rule: "spec throw: unwinding pops every frame down to the handler's, and the payload reaches the handler unchanged however many frames lie between",
    trigger: "an exception thrown three or more calls below the function that catches it with a catch/catch_ref clause of a tag whose first parameter is numeric",
    rewrite: deep_unwind,
};

/// Whether a tag's exceptions are ones [`deep_unwind`] corrupts.
fn deep_tag(b: &Body, tag: u32) -> bool {
    b.shape
        .tag_params(tag)
        .is_some_and(|p| p.first().is_some_and(|t| numeric(*t)))
}

/// Counts call depth in a global (incremented on entry, restored on every normal exit): an
/// exception caught by a `catch`/`catch_ref` clause of a tag with a numeric first parameter
/// lands in a synthetic block that reads how many frames the throw unwound and, when three
/// or more, replaces the first payload value by zero — as if restored from the wrong frame.
fn deep_unwind(b: &mut Body) -> Result<(), Skip> {
    let tags = b.shape.catch_tags.clone();
    if !tags.iter().any(|t| deep_tag(b, *t)) {
        return Ok(());
    }
    let depth = b.counter_global();
    let mine = b.local(ValType::I32);
    b.emit_all([
        I::GlobalGet(depth),
        I::I32Const(1),
        I::I32Add,
        I::LocalTee(mine),
        I::GlobalSet(depth),
    ]);
    let exit = [
        I::LocalGet(mine),
        I::I32Const(1),
        I::I32Sub,
        I::GlobalSet(depth),
    ];
    b.wrap_function_body(Body::encoded(exit.clone()));
    b.each(|b, i| match &b.ops[i] {
        O::Return
        | O::ReturnCall { .. }
        | O::ReturnCallIndirect { .. }
        | O::ReturnCallRef { .. } => {
            b.emit_all(exit.clone());
            b.pass(i)?;
            Ok(1)
        }
        O::TryTable { try_table } => {
            let try_table = try_table.clone();
            let found = try_table
                .catches
                .iter()
                .enumerate()
                .find_map(|(n, c)| match *c {
                    wasmparser::Catch::One { tag, label } if deep_tag(b, tag) => {
                        Some((n, tag, label, false))
                    }
                    wasmparser::Catch::OneRef { tag, label } if deep_tag(b, tag) => {
                        Some((n, tag, label, true))
                    }
                    _ => None,
                });
            let Some((n, tag, label, with_ref)) = found else {
                return Ok(0);
            };
            let Some(params) = b.shape.tag_params(tag).map(<[ValType]>::to_vec) else {
                return Ok(0);
            };
            let mut delivered = params.clone();
            if with_ref {
                delivered.push(EXNREF);
            }
            let (p, r) = b.resolve(try_table.ty)?;
            let exit_ty = b.block_type(&p, &r);
            let landing = b.block_type(&p, &delivered);
            let onward = b.remap(label) + 1;
            let saved = b.local(ValType::I32);
            let slots: Vec<u32> = delivered.iter().map(|t| b.local(*t)).collect();
            let clauses: Vec<Catch> = try_table
                .catches
                .iter()
                .enumerate()
                .map(|(k, c)| match k == n {
                    true if with_ref => Catch::OneRef { tag, label: 0 },
                    true => Catch::One { tag, label: 0 },
                    false => b.remap_clause(c, 2),
                })
                .collect();
            b.emit_all([
                I::GlobalGet(depth),
                I::LocalSet(saved),
                I::Block(exit_ty),
                I::Block(landing),
            ]);
            let mut after = vec![I::Br(1), I::End];
            after.extend(slots.iter().rev().map(|s| I::LocalSet(*s)));
            after.extend([
                I::GlobalGet(depth),
                I::LocalGet(saved),
                I::I32Sub,
                I::I32Const(3),
                I::I32GeS,
                I::If(BlockType::Empty),
                zero(params[0]).ok_or(Skip)?,
                I::LocalSet(slots[0]),
                I::End,
                I::LocalGet(saved),
                I::GlobalSet(depth),
            ]);
            after.extend(slots.iter().map(|s| I::LocalGet(*s)));
            after.extend([I::Br(onward), I::End]);
            b.open_try_table(try_table, 2, Body::encoded(after), Some(clauses))?;
            Ok(1)
        }
        _ => Ok(0),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;

    #[test]
    fn eh_clauses_reversed() {
        let m = |second: &str| {
            format!(
                r#"(module (tag $t (param i32))
                 (func (export "f") (result i32)
                   (block $all
                     (block $one (result i32)
                       (try_table (catch $t $one) ({second} $all)
                         (throw $t (i32.const 5)))
                       (return (i32.const 0)))
                     (return))
                   (i32.const 9)))"#
            )
        };
        let near = r#"(module (tag $t (param i32)) (tag $u)
            (func (export "f") (result i32)
              (block $all
                (block $one (result i32)
                  (try_table (catch $t $one) (catch $u $all)
                    (throw $t (i32.const 5)))
                  (return (i32.const 0)))
                (return))
              (i32.const 9)))"#;
        check(
            "eh-clauses-reversed",
            (&m("catch_all"), &[("f", vec![])]),
            (near, &[("f", vec![])]),
        );
    }

    #[test]
    fn eh_payload_swapped() {
        let trigger = r#"(module (tag $t (param i32 i64 i64))
            (func (export "f") (result i64) (local i64)
              (block $h (result i32 i64 i64)
                (try_table (catch $t $h) (throw $t (i32.const 1) (i64.const 2) (i64.const 3)))
                (unreachable))
              i64.sub local.set 0 drop local.get 0))"#;
        // The near miss: a tag whose last two parameters differ in type.
        let near = r#"(module (tag $t (param i64 i32))
            (func (export "f") (result i64)
              (block $h (result i64 i32)
                (try_table (catch $t $h) (throw $t (i64.const 2) (i32.const 3)))
                (unreachable))
              i64.extend_i32_u i64.sub))"#;
        check(
            "eh-payload-swapped",
            (trigger, &[("f", vec![])]),
            (near, &[("f", vec![])]),
        );
    }

    #[test]
    fn eh_throw_ref_fresh() {
        // The exception rethrown by throw_ref escapes to the host after its exnref was kept in
        // a global: the host sees whether it is the same exception.
        let m = |inner: &str| {
            format!(
                r#"(module (tag $t (export "t") (param i32)) (tag $u)
                 (global $g (export "g") (mut exnref) (ref.null exn))
                 (func (export "f")
                   (block $h (result exnref)
                     (try_table (catch_all_ref $h) (throw $t (i32.const 1)))
                     (unreachable))
                   (global.set $g)
                   {inner}))"#
            )
        };
        // Inside a try_table whose clause does not catch it, and the same rethrow outside any.
        let trigger = m("(block $o (try_table (catch $u $o) (throw_ref (global.get $g))))");
        let near = m("(throw_ref (global.get $g))");
        check(
            "eh-throw-ref-fresh",
            (&trigger, &[("f", vec![])]),
            (&near, &[("f", vec![])]),
        );
    }

    #[test]
    fn eh_return_call_handler() {
        let m = |call: &str| {
            format!(
                r#"(module (tag $t)
                 (func $thrower (result i32) (throw $t))
                 (func (export "f") (result i32)
                   (block $h
                     (try_table (catch $t $h) {call})
                     (return (i32.const 0)))
                   (i32.const 7)))"#
            )
        };
        // The near miss: the same call, not in tail position.
        check(
            "eh-return-call-handler",
            (&m("(return_call $thrower)"), &[("f", vec![])]),
            (&m("(drop (call $thrower))"), &[("f", vec![])]),
        );
    }

    #[test]
    fn eh_call_indirect_skip() {
        let m = |call: &str| {
            format!(
                r#"(module (tag $t) (type $v (func))
                 (table 1 funcref) (elem (i32.const 0) $thrower)
                 (func $thrower (throw $t))
                 (func (export "f") (result i32)
                   (block $h
                     (try_table (catch $t $h) {call})
                     (return (i32.const 0)))
                   (i32.const 7)))"#
            )
        };
        check(
            "eh-call-indirect-skip",
            (
                &m("(call_indirect (type $v) (i32.const 0))"),
                &[("f", vec![])],
            ),
            (&m("(call $thrower)"), &[("f", vec![])]),
        );
    }

    #[test]
    fn eh_deep_unwind() {
        let m = |depth: u32| {
            let mut funcs = String::new();
            for k in 1..depth {
                funcs.push_str(&format!("(func $f{k} (call $f{}))\n", k + 1));
            }
            format!(
                r#"(module (tag $t (param i32))
                 {funcs}
                 (func $f{depth} (throw $t (i32.const 42)))
                 (func (export "f") (result i32)
                   (block $h (result i32)
                     (try_table (catch $t $h) (call $f1))
                     (i32.const 0))))"#
            )
        };
        check(
            "eh-deep-unwind",
            (&m(3), &[("f", vec![]), ("f", vec![])]),
            (&m(2), &[("f", vec![]), ("f", vec![])]),
        );
    }
}
