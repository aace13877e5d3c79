//! Function bodies of an idiom module: entries run statements (an idiom whose value is folded
//! into the result, stored, or written to a global) and return folds of them; callees do the
//! same on a smaller budget and may end in a tail call; throwers throw a tag with a payload
//! computed by idioms when a condition on their arguments holds.

use super::expr::{FnBuilder, Reach};
use super::templates::{EXCEPTION_ROWS, TEMPLATES};
use super::{Role, Ty};
use crate::generate::choices::Choices;
use wasm_encoder::{BlockType, Instruction as I};

/// Builds the body of `b`'s function, final `end` included.
pub fn body(b: &mut FnBuilder, c: &mut Choices) {
    match b.role() {
        Role::Entry => {
            let acc = statements(b, c, b.cfg.stmts);
            results(b, c, acc);
        }
        Role::Callee { tail } => {
            let n = c.range(1, 2) as u32;
            let acc = statements(b, c, n);
            match tail {
                Some((target, indirect)) => tail_call(b, c, acc, target, indirect),
                None => results(b, c, acc),
            }
        }
        Role::Thrower { tag } => {
            throw_guard(b, c, tag);
            let acc = statements(b, c, 1);
            results(b, c, acc);
        }
    }
    b.emit(I::End);
}

/// The type of a statement's value: the forced template's types first (tests), integers
/// three times as often as floats.
fn statement_type(b: &FnBuilder, c: &mut Choices) -> Ty {
    let ty = match c.weighted(&[3, 3, 1, 1]) {
        0 => Ty::I32,
        1 => Ty::I64,
        2 => Ty::F32,
        _ => Ty::F64,
    };
    if let Some(i) = b.cfg.only
        && !(TEMPLATES[i].applies)(b, ty)
        && let Some(t) = Ty::ALL.into_iter().find(|&t| (TEMPLATES[i].applies)(b, t))
    {
        return t;
    }
    ty
}

/// Up to `n` statements (at least one; no new one once the budget is spent); returns the
/// `i64` local their folded values accumulate in.
fn statements(b: &mut FnBuilder, c: &mut Choices, n: u32) -> u32 {
    let acc = b.new_local(Ty::I64, false);
    for s in 0..n.max(1) {
        if s > 0 && b.spent() {
            break;
        }
        let ty = statement_type(b, c);
        let globals = b.globals_of(ty, true);
        let catching_first = s == 0 && b.layout.exceptions && b.role() == Role::Entry;
        let sink = if catching_first {
            0
        } else {
            c.weighted(&[
                6,
                if b.layout.mems.is_empty() { 0 } else { 2 },
                if globals.is_empty() { 0 } else { 1 },
            ])
        };
        // Modules with exceptions: every entry's first idiom catches (or keeps values live
        // across a caught throw).
        let catching = s == 0 && b.layout.exceptions && b.role() == Role::Entry;
        match sink {
            0 if catching => {
                let nd = b.template_among(c, ty, |t| EXCEPTION_ROWS.contains(&t.name));
                b.to_int(c, ty, nd, Ty::I64);
                b.emit(I::LocalSet(acc));
            }
            0 => {
                let nd = b.template(c, ty);
                b.to_int(c, ty, nd, Ty::I64);
                b.emit(I::LocalGet(acc));
                b.int_const(Ty::I64, 1 + 2 * c.below(31));
                b.emit(I::I64Rotl);
                b.emit(I::I64Xor);
                b.emit(I::LocalSet(acc));
            }
            1 => b.store_with(c, ty, Reach::InBounds, |b, c| b.template(c, ty)),
            _ => {
                let g = *c.pick(&globals);
                let nd = b.template(c, ty);
                b.canon(ty, nd);
                b.emit(I::GlobalSet(g));
            }
        }
    }
    acc
}

/// The function's results: the first folds the accumulator with one more idiom, the others
/// are idioms; every one canonicalized.
fn results(b: &mut FnBuilder, c: &mut Choices, acc: u32) {
    for (i, r) in b.results().into_iter().enumerate() {
        let nd = if i == 0 {
            let nd = b.expr(c, r);
            b.emit(I::LocalGet(acc));
            b.fold(c, &[(r, nd), (Ty::I64, false)], r)
        } else {
            b.expr(c, r)
        };
        b.canon(r, nd);
    }
}

/// Ends in `return_call` (or `return_call_indirect`) of `target`, after writing the
/// accumulator to a mutable `i64` global so that the statements stay observable.
fn tail_call(b: &mut FnBuilder, c: &mut Choices, acc: u32, target: u32, indirect: bool) {
    if let Some(&g) = b.globals_of(Ty::I64, true).first() {
        b.emit(I::LocalGet(acc));
        b.emit(I::GlobalSet(g));
    }
    let decl = &b.layout.funcs[target as usize];
    let (params, type_index) = (decl.params.clone(), decl.type_index);
    for p in params {
        let nd = b.expr(c, p);
        b.canon(p, nd);
    }
    if indirect {
        b.table_index(c, target);
        b.emit(I::ReturnCallIndirect {
            type_index,
            table_index: 0,
        });
    } else {
        b.emit(I::ReturnCall(target));
    }
}

/// `if (cond) { payload; throw tag }`: the condition depends on the arguments most of the
/// time (a parity or a comparison with a boundary), so some calls throw and some do not; a
/// third of throwers throw unconditionally, so that exceptions fly in most cases.
fn throw_guard(b: &mut FnBuilder, c: &mut Choices, tag: u32) {
    let params = b.layout.funcs[b.func as usize].params.clone();
    if c.chance(1, 3) {
        b.emit(I::I32Const(1));
    } else {
        guard_condition(b, c, &params);
    }
    b.emit(I::If(BlockType::Empty));
    let payload = b.layout.tags[tag as usize].0.clone();
    for t in payload {
        let nd = b.expr(c, t);
        b.canon(t, nd);
    }
    b.emit(I::Throw(tag));
    b.emit(I::End);
}

/// A throw's condition: a parity bit or a comparison of an integer parameter with a
/// boundary constant, else any condition.
fn guard_condition(b: &mut FnBuilder, c: &mut Choices, params: &[Ty]) {
    match params.iter().position(|t| !t.is_float()) {
        Some(p) if c.chance(1, 3) => {
            let ty = params[p];
            b.emit(I::LocalGet(p as u32));
            b.int_const(ty, 1);
            b.emit(super::expr::IBin::And.ins(ty));
            if ty == Ty::I64 {
                b.emit(I::I64Eqz);
                b.emit(I::I32Eqz);
            }
        }
        Some(p) if c.chance(1, 2) => {
            let ty = params[p];
            b.emit(I::LocalGet(p as u32));
            b.konst(c, ty);
            let cmp = *c.pick(&[
                super::expr::ICmp::LtU,
                super::expr::ICmp::GtS,
                super::expr::ICmp::Eq,
                super::expr::ICmp::Ne,
            ]);
            b.emit(cmp.ins(ty));
        }
        _ => b.cond(c),
    }
}
