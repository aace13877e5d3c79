//! The reduction passes, coarse to fine: each turns the current module and plan into candidates, in the order they are tried.

use super::Candidate;
use super::ir::{Body, ElemItems, Ir, Removed, Space, opens_block, zero_of};
use super::spans::{analyse, ends_flow};
use oracles::Val;
use oracles::differential::Call;
use std::collections::HashMap;
use wasmparser::{BlockType, ExternalKind, Operator, ValType};

/// A pass.
pub struct Pass {
    /// Its name.
    pub name: &'static str,
    /// Its candidates from the current best.
    pub generate: fn(&Candidate) -> Vec<Candidate>,
}

/// Every pass, in the order they run.
pub const ALL: &[Pass] = &[
    Pass {
        name: "plan-truncate",
        generate: plan_truncate,
    },
    Pass {
        name: "plan-drop-call",
        generate: plan_drop_call,
    },
    Pass {
        name: "exports-only-plan",
        generate: exports_only_plan,
    },
    Pass {
        name: "function-bodies",
        generate: function_bodies,
    },
    Pass {
        name: "neutralize-calls",
        generate: neutralize_calls,
    },
    Pass {
        name: "inline-constant-calls",
        generate: inline_constant_calls,
    },
    Pass {
        name: "retarget-exports",
        generate: retarget_exports,
    },
    Pass {
        name: "remove-items",
        generate: remove_items,
    },
    Pass {
        name: "remove-exports",
        generate: remove_exports,
    },
    Pass {
        name: "expressions",
        generate: expressions,
    },
    Pass {
        name: "dataflow",
        generate: dataflow,
    },
    Pass {
        name: "observe",
        generate: observe,
    },
    Pass {
        name: "blocks",
        generate: blocks,
    },
    Pass {
        name: "branches",
        generate: branches,
    },
    Pass {
        name: "dead-code",
        generate: dead_code,
    },
    Pass {
        name: "never-run",
        generate: never_run,
    },
    Pass {
        name: "remove-items",
        generate: remove_items,
    },
    Pass {
        name: "signatures",
        generate: signatures,
    },
    Pass {
        name: "tag-payloads",
        generate: tag_payloads,
    },
    Pass {
        name: "locals",
        generate: locals,
    },
    Pass {
        name: "constants",
        generate: constants,
    },
    Pass {
        name: "limits-and-data",
        generate: limits_and_data,
    },
    Pass {
        name: "arguments",
        generate: arguments,
    },
    Pass {
        name: "rename-exports",
        generate: rename_exports,
    },
];

fn with_ir(c: &Candidate, edit: impl FnOnce(&Ir, &mut Vec<Candidate>)) -> Vec<Candidate> {
    let mut out = Vec::new();
    if let Some(ir) = Ir::parse(&c.wasm) {
        edit(&ir, &mut out);
    }
    out
}

/// Whether a branch or catch clause in `ops` goes to a label that `hits(label, depth)`
/// accepts (`depth`: how many constructs opened within `ops` enclose it), catch clauses that
/// `except` accepts aside; `None` when a label cannot be read.
fn any_label(
    ops: &[Operator],
    hits: impl Fn(u32, u32) -> bool,
    except: impl Fn(&wasmparser::Catch) -> bool,
) -> Option<bool> {
    use wasmparser::Catch;
    let mut depth = 0u32;
    for op in ops {
        let here = |l: &u32| hits(*l, depth);
        let enters = match op {
            Operator::Br { relative_depth }
            | Operator::BrIf { relative_depth }
            | Operator::BrOnNull { relative_depth }
            | Operator::BrOnNonNull { relative_depth }
            | Operator::BrOnCast { relative_depth, .. }
            | Operator::BrOnCastFail { relative_depth, .. }
            | Operator::Rethrow { relative_depth }
            | Operator::Delegate { relative_depth } => here(relative_depth),
            Operator::BrTable { targets } => {
                let (labels, default) = table_of(targets)?;
                labels.iter().chain([&default]).any(here)
            }
            Operator::TryTable { try_table } => try_table.catches.iter().any(|c| match c {
                Catch::One { label, .. }
                | Catch::OneRef { label, .. }
                | Catch::All { label }
                | Catch::AllRef { label } => here(label) && !except(c),
            }),
            _ => false,
        };
        if enters {
            return Some(true);
        }
        if opens_block(op) || matches!(op, Operator::Try { .. }) {
            depth += 1;
        } else if matches!(op, Operator::End | Operator::Delegate { .. }) {
            depth = depth.checked_sub(1)?;
        }
    }
    Some(false)
}

/// Whether anything in `ops` (a construct's body) branches to the construct itself, catch
/// clauses that `except` accepts aside; `None` when a label cannot be read.
fn branches_to(ops: &[Operator], except: impl Fn(&wasmparser::Catch) -> bool) -> Option<bool> {
    any_label(ops, |label, depth| label == depth, except)
}

/// Whether a branch or catch clause in `ops` (whole constructs and plain instructions) goes to
/// a label outside them; `None` when a label cannot be read.
fn escapes(ops: &[Operator]) -> Option<bool> {
    any_label(ops, |label, depth| label >= depth, |_| false)
}

/// Adds the edits deleting operand `j` of `tree` (what it consumed from outside dropped where
/// it was); `None` when that operand is itself a value from outside.
fn delete_operand(
    tree: &super::spans::Tree,
    j: usize,
    edits: &mut Vec<(usize, usize, Vec<Operator<'_>>)>,
) -> Option<()> {
    let (ops, holes) = tree.operands.get(j)?.as_ref()?;
    let last = *ops.last()?;
    for &i in ops {
        let with = if i == last {
            vec![Operator::Drop; *holes as usize]
        } else {
            Vec::new()
        };
        edits.push((i, i, with));
    }
    Some(())
}

/// Runs `edit` on `c`'s module and the analysis of its bodies (nothing when either fails).
fn with_analysis(
    c: &Candidate,
    edit: impl FnOnce(&Ir, &[super::spans::Analysis], &mut Vec<Candidate>),
) -> Vec<Candidate> {
    let mut out = Vec::new();
    if let Some(ir) = Ir::parse(&c.wasm) {
        let analyses = analyse(&c.wasm, &ir);
        if analyses.len() == ir.code.len() {
            edit(&ir, &analyses, &mut out);
        }
    }
    out
}

fn push(out: &mut Vec<Candidate>, ir: &Ir, plan: &oracles::differential::Plan) {
    if let Some(wasm) = ir.encode() {
        out.push(Candidate {
            wasm,
            plan: plan.clone(),
        });
    }
}

/// The sum over every integer constant of its bit length, and over every `br_table` of how
/// many distinct labels it has (a tie-breaker of [`super::cost`]).
pub fn const_weight(wasm: &[u8]) -> u64 {
    let Some(ir) = Ir::parse(wasm) else { return 0 };
    let bits = |x: u64| u64::from(64 - x.leading_zeros());
    let ops = ir
        .code
        .iter()
        .flat_map(|b| b.ops.iter())
        .chain(ir.globals.iter().flat_map(|g| g.1.iter()))
        .chain(
            ir.datas
                .iter()
                .flat_map(|d| d.active.iter().flat_map(|a| a.1.iter())),
        );
    let mut w = 0;
    for op in ops {
        w += match op {
            Operator::I32Const { value } => bits(u64::from(value.unsigned_abs())),
            Operator::I64Const { value } => bits(value.unsigned_abs()),
            Operator::F32Const { value } => bits(u64::from(value.bits() & 0x7fff_ffff)),
            Operator::F64Const { value } => bits(value.bits() & (u64::MAX >> 1)),
            Operator::BrTable { targets } => table_of(targets).map_or(0, |(labels, default)| {
                distinct_labels(&labels, default).len() as u64
            }),
            _ => memarg_of(op).map_or(0, |m| bits(m.offset)),
        };
    }
    w
}

fn plan_truncate(c: &Candidate) -> Vec<Candidate> {
    (0..c.plan.calls.len())
        .map(|k| {
            let mut plan = c.plan.clone();
            plan.calls.truncate(k);
            Candidate {
                wasm: c.wasm.clone(),
                plan,
            }
        })
        .collect()
}

fn plan_drop_call(c: &Candidate) -> Vec<Candidate> {
    (0..c.plan.calls.len())
        .rev()
        .map(|k| {
            let mut plan = c.plan.clone();
            plan.calls.remove(k);
            Candidate {
                wasm: c.wasm.clone(),
                plan,
            }
        })
        .collect()
}

fn planned(c: &Candidate, name: &str) -> bool {
    c.plan.calls.iter().any(|call| call.func == name)
}

/// Every export but the plan's functions removed, at once.
fn exports_only_plan(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        let mut ir = ir.clone();
        let before = ir.exports.len();
        ir.exports
            .retain(|e| e.kind == ExternalKind::Func && planned(c, &e.name));
        if ir.exports.len() < before {
            push(out, &ir, &c.plan);
        }
    })
}

fn remove_exports(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        for i in (0..ir.exports.len()).rev() {
            if planned(c, &ir.exports[i].name) {
                continue;
            }
            let mut ir = ir.clone();
            ir.exports.remove(i);
            push(out, &ir, &c.plan);
        }
    })
}

/// The instructions that push zeros of `results`, `None` when one has no zero.
fn zeros(results: &[wasmparser::ValType]) -> Option<Vec<Operator<'static>>> {
    results.iter().map(|t| zero_of(*t)).collect()
}

/// Each function's body replaced by zeros of its results.
fn function_bodies(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        let fi = ir.imported(Space::Func);
        let mut zeroed: Vec<(usize, Body)> = Vec::new();
        for i in 0..ir.code.len() {
            let Some(ty) = ir.func_type(fi + i as u32) else {
                continue;
            };
            let Some(mut ops) = zeros(ty.results()) else {
                continue;
            };
            ops.push(Operator::End);
            if ops.len() >= ir.code[i].ops.len() && ir.code[i].locals.is_empty() {
                continue;
            }
            zeroed.push((
                i,
                Body {
                    locals: Vec::new(),
                    ops,
                },
            ));
        }
        // Halves, quarters... of them at once first (most bodies of a large module do not
        // matter, and one candidate costs a compile), then one at a time.
        let mut size = zeroed.len() / 2;
        while size >= 2 {
            for chunk in zeroed.chunks(size) {
                let mut new = ir.clone();
                for (i, body) in chunk {
                    new.code[*i] = body.clone();
                }
                push(out, &new, &c.plan);
            }
            size /= 2;
        }
        for (i, body) in zeroed {
            let mut new = ir.clone();
            new.code[i] = body;
            push(out, &new, &c.plan);
        }
    })
}

/// Every call of one function replaced by dropping its arguments and pushing zeros.
fn neutralize_calls(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        let nfuncs = ir.imported(Space::Func) + ir.funcs.len() as u32;
        for callee in 0..nfuncs {
            let Some(ty) = ir.func_type(callee) else {
                continue;
            };
            let Some(zs) = zeros(ty.results()) else {
                continue;
            };
            let params = ty.params().len();
            let mut changed = false;
            let mut new = ir.clone();
            for body in &mut new.code {
                let mut ops = Vec::with_capacity(body.ops.len());
                for op in body.ops.drain(..) {
                    if matches!(op, Operator::Call { function_index } if function_index == callee) {
                        changed = true;
                        ops.extend(std::iter::repeat_n(Operator::Drop, params));
                        ops.extend(zs.iter().cloned());
                    } else {
                        ops.push(op);
                    }
                }
                body.ops = ops;
            }
            if changed {
                push(out, &new, &c.plan);
            }
        }
    })
}

/// Calls of a function without parameters whose body only pushes constants replaced by those
/// constants.
fn inline_constant_calls(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        let fi = ir.imported(Space::Func);
        for (k, body) in ir.code.iter().enumerate() {
            let callee = fi + k as u32;
            if !ir.func_type(callee).is_some_and(|t| t.params().is_empty()) {
                continue;
            }
            let Some((_, consts)) = body.ops.split_last() else {
                continue;
            };
            if !consts.iter().all(is_constant) {
                continue;
            }
            let mut new = ir.clone();
            let mut changed = false;
            for b in &mut new.code {
                let mut ops = Vec::with_capacity(b.ops.len());
                let last = b.ops.len().saturating_sub(2);
                for (i, op) in b.ops.drain(..).enumerate() {
                    // A tail call just before the body's end returns the same values.
                    let tail = i == last
                        && matches!(op, Operator::ReturnCall { function_index } if function_index == callee);
                    if tail
                        || matches!(op, Operator::Call { function_index } if function_index == callee)
                    {
                        changed = true;
                        ops.extend(consts.iter().cloned());
                    } else {
                        ops.push(op);
                    }
                }
                b.ops = ops;
            }
            if changed {
                push_without_func(out, &new, callee, &c.plan);
            }
        }
    })
}

/// Pushes `ir` with function `f` removed (and its unplanned exports) when nothing else refers
/// to it, and `ir` as it is.
fn push_without_func(
    out: &mut Vec<Candidate>,
    ir: &Ir,
    f: u32,
    plan: &oracles::differential::Plan,
) {
    let mut without = ir.clone();
    without.exports.retain(|e| {
        !(e.kind == ExternalKind::Func
            && e.index == f
            && !plan.calls.iter().any(|c| c.func == e.name))
    });
    if without.start == Some(f) {
        without.start = None;
    }
    if let Some(wasm) = without.encode_without(&Removed::one(Space::Func, f)) {
        out.push(Candidate {
            wasm,
            plan: plan.clone(),
        });
    }
    push(out, ir, plan);
}

/// A planned export pointed at another function of the same type (often its callee).
fn retarget_exports(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        let n = ir.imported(Space::Func) + ir.funcs.len() as u32;
        for (i, e) in ir.exports.iter().enumerate() {
            if e.kind != ExternalKind::Func || !planned(c, &e.name) {
                continue;
            }
            let Some(ty) = ir.func_type(e.index) else {
                continue;
            };
            for f in 0..n {
                if f != e.index && ir.func_type(f) == Some(ty) {
                    let mut new = ir.clone();
                    new.exports[i].index = f;
                    push_without_func(out, &new, e.index, &c.plan);
                }
            }
            // A function that only calls another with constants: the plan calls that one
            // with those values.
            let Some(body) = e
                .index
                .checked_sub(ir.imported(Space::Func))
                .and_then(|k| ir.code.get(k as usize))
            else {
                continue;
            };
            // Any function it calls, exported in its place and called with zeros (what it
            // returns may differ: the key says whether that matters).
            let mut callees: Vec<u32> =
                body.ops
                    .iter()
                    .filter_map(|op| match op {
                        Operator::Call { function_index }
                        | Operator::ReturnCall { function_index } => Some(*function_index),
                        _ => None,
                    })
                    .filter(|&g| g != e.index)
                    .collect();
            callees.sort_unstable();
            callees.dedup();
            for g in callees {
                let Some(args): Option<Vec<Val>> = ir
                    .func_type(g)
                    .and_then(|t| t.params().iter().map(|&p| zero_val(p)).collect())
                else {
                    continue;
                };
                let mut new = ir.clone();
                new.exports[i].index = g;
                let mut plan = c.plan.clone();
                for call in &mut plan.calls {
                    if call.func == e.name {
                        call.args = args.clone();
                    }
                }
                push_without_func(out, &new, e.index, &plan);
            }
            let Some((Operator::End, rest)) = body.ops.split_last() else {
                continue;
            };
            let Some((Operator::Call { function_index: g }, consts)) = rest.split_last() else {
                continue;
            };
            let Some(callee) = ir.func_type(*g) else {
                continue;
            };
            let args: Option<Vec<Val>> = consts.iter().map(value_of).collect();
            if let Some(args) = args
                && callee.params().len() == args.len()
                && callee.results() == ty.results()
            {
                let mut new = ir.clone();
                new.exports[i].index = *g;
                let mut plan = c.plan.clone();
                for call in &mut plan.calls {
                    if call.func == e.name {
                        call.args = args.clone();
                    }
                }
                push_without_func(out, &new, e.index, &plan);
            }
        }
    })
}

/// The zero of a plan argument's type.
fn zero_val(ty: ValType) -> Option<Val> {
    zero_of(ty).as_ref().and_then(value_of)
}

/// The value a constant instruction pushes.
fn value_of(op: &Operator) -> Option<Val> {
    Some(match op {
        Operator::I32Const { value } => Val::I32(*value),
        Operator::I64Const { value } => Val::I64(*value),
        Operator::F32Const { value } => Val::F32(value.bits()),
        Operator::F64Const { value } => Val::F64(value.bits()),
        _ => return None,
    })
}

/// Each item removed where nothing refers to it (and its exports with it).
fn remove_items(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        let count = |space: Space, defined: usize| ir.imported(space) + defined as u32;
        let spaces = [
            (
                Space::Func,
                count(Space::Func, ir.funcs.len()),
                Some(ExternalKind::Func),
            ),
            (
                Space::Tag,
                count(Space::Tag, ir.tags.len()),
                Some(ExternalKind::Tag),
            ),
            (
                Space::Global,
                count(Space::Global, ir.globals.len()),
                Some(ExternalKind::Global),
            ),
            (
                Space::Table,
                count(Space::Table, ir.tables.len()),
                Some(ExternalKind::Table),
            ),
            (
                Space::Memory,
                count(Space::Memory, ir.memories.len()),
                Some(ExternalKind::Memory),
            ),
            (Space::Elem, ir.elems.len() as u32, None),
            (Space::Data, ir.datas.len() as u32, None),
        ];
        for (space, n, kind) in spaces {
            for index in (0..n).rev() {
                let mut ir = ir.clone();
                if let Some(kind) = kind {
                    if ir
                        .exports
                        .iter()
                        .any(|e| e.kind == kind && e.index == index && planned(c, &e.name))
                    {
                        continue;
                    }
                    ir.exports.retain(|e| !(e.kind == kind && e.index == index));
                }
                if space == Space::Func && ir.start == Some(index) {
                    ir.start = None;
                }
                if let Some(wasm) = ir.encode_without(&Removed::one(space, index)) {
                    out.push(Candidate {
                        wasm,
                        plan: c.plan.clone(),
                    });
                }
            }
        }
        // Function references in element segments, one at a time.
        for (e, elem) in ir.elems.iter().enumerate() {
            if let ElemItems::Funcs(f) = &elem.items {
                for k in (0..f.len()).rev() {
                    let mut ir = ir.clone();
                    if let ElemItems::Funcs(f) = &mut ir.elems[e].items {
                        f.remove(k);
                    }
                    push(out, &ir, &c.plan);
                }
                // Pointed at a neighbour instead, so the function it named can go.
                for k in 0..f.len() {
                    let Some(&other) = f.iter().find(|&&g| g != f[k]) else {
                        break;
                    };
                    let mut new = ir.clone();
                    if let ElemItems::Funcs(items) = &mut new.elems[e].items {
                        items[k] = other;
                    }
                    let mut without = Vec::new();
                    push_without_func(&mut without, &new, f[k], &c.plan);
                    out.extend(without.into_iter().take(1));
                }
            }
        }
        if ir.start.is_some() {
            let mut ir = ir.clone();
            ir.start = None;
            push(out, &ir, &c.plan);
        }
    })
}

fn replace(
    ir: &Ir,
    func: usize,
    start: usize,
    end: usize,
    with: Vec<Operator<'_>>,
) -> Option<Vec<u8>> {
    let mut ir = ir.clone();
    let ops = &mut ir.code[func].ops;
    // Replace in a copy borrowing the same bytes.
    let mut new: Vec<Operator> = Vec::with_capacity(ops.len());
    new.extend(ops[..start].iter().cloned());
    new.extend(with);
    new.extend(ops[end + 1..].iter().cloned());
    *ops = new;
    ir.encode()
}

/// Statements deleted, values replaced by zeros or by one of their operands; longest spans
/// first.
fn expressions(c: &Candidate) -> Vec<Candidate> {
    with_analysis(c, |ir, analyses, out| {
        let mut edits: Vec<(usize, usize, usize, Vec<Operator>)> = Vec::new();
        for (f, a) in analyses.iter().enumerate() {
            let ops = &ir.code[f].ops;
            for s in &a.spans {
                if matches!(ops[s.end], Operator::Else) {
                    continue;
                }
                let len = s.end + 1 - s.start;
                if s.pushes == 0 {
                    edits.push((len, f, s.start, Vec::new()));
                } else if s.pushes == 1 {
                    // A value nobody takes (left below what a branch or return carries).
                    edits.push((len, f, s.start, Vec::new()));
                    let is_const = len == 1 && is_constant(&ops[s.start]);
                    if let Some(z) = s.result.and_then(zero_of)
                        && !is_const
                    {
                        edits.push((len, f, s.start, vec![z]));
                    }
                    for (os, oe, ty) in &s.operands {
                        if *ty == s.result && ty.is_some() {
                            edits.push((len, f, s.start, ops[*os..=*oe].to_vec()));
                        }
                    }
                }
                // A statement whose value is dropped: both go.
                if s.pushes == 1 && matches!(ops.get(s.end + 1), Some(Operator::Drop)) {
                    edits.push((len + 1, f, s.start, Vec::new()));
                }
            }
        }
        // Longest first; the span's end is recomputed from its length.
        edits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        for (len, f, start, with) in edits {
            if let Some(wasm) = replace(ir, f, start, start + len - 1, with) {
                out.push(Candidate {
                    wasm,
                    plan: c.plan.clone(),
                });
            }
        }
    })
}

/// `ops` with each `(start, end, with)` range replaced; a range overlapping an earlier one is
/// left out (the candidate is then most likely invalid, and validation says so).
fn splice<'a>(
    ops: &[Operator<'a>],
    mut edits: Vec<(usize, usize, Vec<Operator<'a>>)>,
) -> Vec<Operator<'a>> {
    edits.sort_by_key(|e| e.0);
    let mut out = Vec::with_capacity(ops.len());
    let mut at = 0;
    for (start, end, with) in edits {
        if start < at || end >= ops.len() {
            continue;
        }
        out.extend(ops[at..start].iter().cloned());
        out.extend(with);
        at = end + 1;
    }
    out.extend(ops[at..].iter().cloned());
    out
}

/// The edits deleting `tree` except its root, which becomes `with` preceded by a `drop` per
/// hole (the holes' values are what is left on top of the stack there).
fn tree_edits<'a>(
    tree: &super::spans::Tree,
    mut with: Vec<Operator<'a>>,
) -> Vec<(usize, usize, Vec<Operator<'a>>)> {
    let mut root = vec![Operator::Drop; tree.holes as usize];
    root.append(&mut with);
    tree.ops
        .iter()
        .map(|&i| {
            (
                i,
                i,
                if i == tree.root {
                    root.clone()
                } else {
                    Vec::new()
                },
            )
        })
        .collect()
}

/// Dataflow trees removed wherever their instructions are (the statement far below the
/// values it consumes, together with the instructions that made them), or a value's tree
/// replaced by a zero of its type; a `drop` per value that came from outside the tree.
fn dataflow(c: &Candidate) -> Vec<Candidate> {
    with_analysis(c, |ir, analyses, out| {
        let mut edits = Vec::new();
        for (f, a) in analyses.iter().enumerate() {
            let ops = &ir.code[f].ops;
            for t in &a.trees {
                // An `if`'s tree is its condition, edited by the blocks pass; contiguous trees
                // without holes are the expressions pass's spans.
                if opens_block(&ops[t.root]) {
                    continue;
                }
                // The tree without its pure part: each call in it kept (with what makes its
                // operands), its value dropped where the root was.
                let zero = match t.pushes {
                    0 => Some(Vec::new()),
                    1 => t.result.and_then(zero_of).map(|z| vec![z]),
                    _ => None,
                };
                if let Some(zero) = &zero {
                    for call in a.trees.iter().filter(|s| {
                        s.root != t.root
                            && s.pushes == 1
                            && t.ops.binary_search(&s.root).is_ok()
                            && matches!(
                                ops[s.root],
                                Operator::Call { .. }
                                    | Operator::CallIndirect { .. }
                                    | Operator::CallRef { .. }
                            )
                    }) {
                        let outside = t.holes.saturating_sub(call.holes) + 1;
                        let mut root = vec![Operator::Drop; outside as usize];
                        root.extend(zero.iter().cloned());
                        let e: Vec<_> = t
                            .ops
                            .iter()
                            .filter(|i| call.ops.binary_search(i).is_err())
                            .map(|&i| {
                                (
                                    i,
                                    i,
                                    if i == t.root {
                                        root.clone()
                                    } else {
                                        Vec::new()
                                    },
                                )
                            })
                            .collect();
                        edits.push((t.ops.len() - call.ops.len(), f, e));
                    }
                }
                // The value replaced by one of its operands of the same type (what made the
                // operands below it deleted, what came from outside above it dropped).
                if t.pushes == 1 && !(t.contiguous() && t.holes == 0) {
                    for (k, operand) in t.operands.iter().enumerate() {
                        let Some((kept, _)) = operand else { continue };
                        if t.types.get(k).copied().flatten() != t.result
                            || t.operands[..k].iter().any(|o| !matches!(o, Some((_, 0))))
                        {
                            continue;
                        }
                        let above: u32 = t.operands[k + 1..]
                            .iter()
                            .map(|o| o.as_ref().map_or(1, |(_, h)| *h))
                            .sum();
                        let e: Vec<_> = t
                            .ops
                            .iter()
                            .filter(|i| kept.binary_search(i).is_err())
                            .map(|&i| {
                                let with = if i == t.root {
                                    vec![Operator::Drop; above as usize]
                                } else {
                                    Vec::new()
                                };
                                (i, i, with)
                            })
                            .collect();
                        edits.push((t.ops.len() - kept.len(), f, e));
                    }
                }
                // A value computed only to be dropped: its operands dropped instead.
                if t.pushes == 1 && matches!(ops.get(t.root + 1), Some(Operator::Drop)) {
                    let drops = vec![Operator::Drop; t.operands.len()];
                    let e = vec![(t.root, t.root + 1, drops)];
                    edits.push((1, f, e));
                }
                if t.contiguous() && t.holes == 0 {
                    continue;
                }
                let weight = t.ops.len();
                match (t.pushes, t.result.and_then(zero_of)) {
                    (0, _) => edits.push((weight, f, tree_edits(t, Vec::new()))),
                    (1, Some(z)) => {
                        if t.ops.len() > 1 || !is_constant(&ops[t.root]) {
                            edits.push((weight, f, tree_edits(t, vec![z])));
                        }
                        if matches!(ops.get(t.root + 1), Some(Operator::Drop)) {
                            let mut e = tree_edits(t, Vec::new());
                            e.push((t.root + 1, t.root + 1, Vec::new()));
                            edits.push((weight + 1, f, e));
                        }
                    }
                    _ => {}
                }
            }
        }
        edits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, f, e) in edits {
            let mut new = ir.clone();
            new.code[f].ops = splice(&ir.code[f].ops, e);
            push(out, &new, &c.plan);
        }
    })
}

/// Where a statement puts a value for the host to see: a global, or a memory.
enum Sink {
    /// `global.set` of this global, of this type.
    Global(u32, ValType),
    /// A store into this memory, 64-bit or not.
    Memory(u32, bool),
}

impl Sink {
    /// The sink of the statement spanned by `span` in `ops`, if it is one.
    fn of(ir: &Ir, ops: &[Operator], span: &super::spans::Span) -> Option<Sink> {
        match &ops[span.end] {
            Operator::GlobalSet { global_index } => Some(Sink::Global(
                *global_index,
                ir.global_type(*global_index)?.content_type,
            )),
            op if span.pushes == 0 && span.operands.len() == 2 => {
                let wasmparser::MemArgTarget::Memory(m) = memarg_of(op)?.target else {
                    return None;
                };
                Some(Sink::Memory(m, ir.memory_type(m)?.memory64))
            }
            _ => None,
        }
    }

    /// What goes before a value of type `ty` (the address zero, for a store) and after it
    /// (the store or `global.set`) to put it here; `None` when it cannot go here.
    fn around(&self, ty: ValType) -> Option<(Option<Operator<'static>>, Operator<'static>)> {
        match *self {
            Sink::Global(global_index, t) => {
                (t == ty).then_some((None, Operator::GlobalSet { global_index }))
            }
            Sink::Memory(memory, wide) => {
                let arg = |max_align: u8| wasmparser::MemArg {
                    align: 0,
                    max_align,
                    offset: 0,
                    target: wasmparser::MemArgTarget::Memory(memory),
                    ordering: None,
                };
                let store = match ty {
                    ValType::I32 => Operator::I32Store { memarg: arg(2) },
                    ValType::I64 => Operator::I64Store { memarg: arg(3) },
                    ValType::F32 => Operator::F32Store { memarg: arg(2) },
                    ValType::F64 => Operator::F64Store { memarg: arg(3) },
                    _ => return None,
                };
                let address = if wide {
                    Operator::I64Const { value: 0 }
                } else {
                    Operator::I32Const { value: 0 }
                };
                Some((Some(address), store))
            }
        }
    }
}

/// A value observed directly where it is made: a store, or a `global.set`, becomes one value
/// computed inside it stored at address zero (or set), and a function the plan calls returns
/// a value computed at its top level. A value that decided *where* something was stored, or
/// what was returned, through branches or conversions becomes the thing stored or returned,
/// so the machinery between goes at once.
fn observe(c: &Candidate) -> Vec<Candidate> {
    with_analysis(c, |ir, analyses, out| {
        let mut edits: Vec<(usize, usize, usize, usize, Vec<Operator>)> = Vec::new();
        for (f, a) in analyses.iter().enumerate() {
            let ops = &ir.code[f].ops;
            for span in &a.spans {
                let Some(sink) = Sink::of(ir, ops, span) else {
                    continue;
                };
                for v in &a.spans {
                    if v.start < span.start
                        || v.end >= span.end
                        || v.pushes != 1
                        || (v.start == v.end && is_constant(&ops[v.start]))
                        || escapes(&ops[v.start..=v.end]) != Some(false)
                    {
                        continue;
                    }
                    let Some((before, after)) = v.result.and_then(|ty| sink.around(ty)) else {
                        continue;
                    };
                    let mut body: Vec<Operator> = before.into_iter().collect();
                    body.extend(ops[v.start..=v.end].iter().cloned());
                    body.push(after);
                    let saved = (span.end - span.start) - (v.end - v.start);
                    edits.push((saved, f, span.start, span.end, body));
                }
            }
        }
        edits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, f, start, end, body) in edits {
            if let Some(wasm) = replace(ir, f, start, end, body) {
                out.push(Candidate {
                    wasm,
                    plan: c.plan.clone(),
                });
            }
        }
        // A function the plan calls returns a value it computes at its top level (whatever
        // its type): the rest of its body goes, its result type becomes the value's.
        let fi = ir.imported(Space::Func);
        let mut returns: Vec<(usize, Ir)> = Vec::new();
        for (f, a) in analyses.iter().enumerate() {
            let func = fi + f as u32;
            let exported = ir
                .exports
                .iter()
                .any(|e| e.kind == ExternalKind::Func && e.index == func && planned(c, &e.name));
            let Some(ty) = ir.func_type(func) else {
                continue;
            };
            if !exported || referenced(ir, func) {
                continue;
            }
            let ops = &ir.code[f].ops;
            for v in &a.spans {
                let Some(result) = v.result else { continue };
                let top_level = !a
                    .constructs
                    .iter()
                    .any(|k| k.open < v.start && v.start < k.end);
                if v.pushes != 1
                    || !top_level
                    || v.end + 2 >= ops.len()
                    || !matches!(
                        result,
                        ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64
                    )
                    || (v.start == v.end && is_constant(&ops[v.start]))
                {
                    continue;
                }
                let mut new = ir.clone();
                new.types.push(wasmparser::FuncType::new(
                    ty.params().iter().copied(),
                    [result],
                ));
                new.funcs[f] = (new.types.len() - 1) as u32;
                let mut body: Vec<Operator> = ops[..=v.end].to_vec();
                body.extend([Operator::Return, Operator::End]);
                new.code[f].ops = body;
                returns.push((ops.len() - v.end, new));
            }
        }
        returns.sort_by_key(|r| std::cmp::Reverse(r.0));
        for (_, new) in returns {
            push(out, &new, &c.plan);
        }
    })
}

/// Whether anything but an export refers to function `func` (a call, `ref.func`, an element
/// segment, a table's initializer, a global's, the start function).
fn referenced(ir: &Ir, func: u32) -> bool {
    let is = |op: &Operator| {
        matches!(op,
            Operator::Call { function_index }
            | Operator::ReturnCall { function_index }
            | Operator::RefFunc { function_index } if *function_index == func)
    };
    ir.start == Some(func)
        || ir.code.iter().any(|b| b.ops.iter().any(is))
        || ir.globals.iter().any(|g| g.1.iter().any(is))
        || ir.tables.iter().any(|t| t.1.iter().flatten().any(is))
        || ir.elems.iter().any(|e| match &e.items {
            ElemItems::Funcs(items) => items.contains(&func),
            ElemItems::Exprs(_, exprs) => exprs.iter().flatten().any(is),
        })
}

/// Branches made unconditional or never taken: `br_table` into a `br` to each of its
/// labels, `br_if` into a `br` or into nothing (the condition's tree deleted either way).
fn branches(c: &Candidate) -> Vec<Candidate> {
    with_analysis(c, |ir, analyses, out| {
        for (f, a) in analyses.iter().enumerate() {
            let ops = &ir.code[f].ops;
            for t in &a.trees {
                let labels: Vec<Option<u32>> = match &ops[t.root] {
                    Operator::BrIf { relative_depth } => vec![None, Some(*relative_depth)],
                    Operator::BrTable { targets } => match table_of(targets) {
                        Some((labels, default)) => distinct_labels(&labels, default)
                            .into_iter()
                            .map(Some)
                            .collect(),
                        None => continue,
                    },
                    _ => continue,
                };
                // The condition (or index) is the last operand.
                let (cond_ops, cond_holes) = match t.operands.last() {
                    Some(Some((o, h))) => (o.clone(), *h),
                    _ => (Vec::new(), 1),
                };
                if let Operator::BrTable { targets } = &ops[t.root] {
                    for (labels, default) in smaller_tables(targets) {
                        let bytes = br_table_bytes(&labels, default);
                        let Some(op) = read_op(&bytes) else { continue };
                        let mut new = ir.clone();
                        new.code[f].ops[t.root] = op;
                        push(out, &new, &c.plan);
                    }
                }
                for label in labels {
                    let mut e: Vec<(usize, usize, Vec<Operator>)> =
                        cond_ops.iter().map(|&i| (i, i, Vec::new())).collect();
                    let mut with = vec![Operator::Drop; cond_holes as usize];
                    if let Some(l) = label {
                        with.push(Operator::Br { relative_depth: l });
                    }
                    e.push((t.root, t.root, with));
                    let mut new = ir.clone();
                    new.code[f].ops = splice(ops, e);
                    push(out, &new, &c.plan);
                }
            }
        }
    })
}

/// Simpler forms of a `br_table`: one label left out (the indices past it shift down, the
/// last one falls to the default), or a label that occurs once sent where another of its
/// labels goes (one label fewer, so the construct it named may be unwrapped next).
fn smaller_tables(targets: &wasmparser::BrTable) -> Vec<(Vec<u32>, u32)> {
    let Some((labels, default)) = table_of(targets) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for k in (0..labels.len()).rev() {
        let mut fewer = labels.clone();
        fewer.remove(k);
        out.push((fewer, default));
    }
    let distinct = distinct_labels(&labels, default);
    let once = |l: u32| labels.iter().chain([&default]).filter(|&&x| x == l).count() == 1;
    for (k, &l) in labels.iter().enumerate() {
        if !once(l) {
            continue;
        }
        for &to in distinct.iter().filter(|&&to| to != l) {
            let mut moved = labels.clone();
            moved[k] = to;
            out.push((moved, default));
        }
    }
    if once(default) {
        for &to in distinct.iter().filter(|&&to| to != default) {
            out.push((labels.clone(), to));
        }
    }
    out
}

/// Where the block holding position `from` closes: the index of its `end` (or of the `else`
/// closing an `if`'s first arm), `ops.len()` when there is none.
fn block_end(ops: &[Operator], from: usize) -> usize {
    let mut depth = 0usize;
    let mut j = from;
    while j < ops.len() {
        match &ops[j] {
            op if opens_block(op) => depth += 1,
            Operator::End | Operator::Else if depth == 0 => break,
            Operator::End => depth -= 1,
            _ => {}
        }
        j += 1;
    }
    j
}

/// The instructions after a branch, return, throw or `unreachable` up to the end of their
/// block deleted (they never run; the stack there is polymorphic), and a branch to where
/// control goes anyway.
fn dead_code(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        for (f, body) in ir.code.iter().enumerate() {
            let ops = &body.ops;
            for i in 0..ops.len() {
                if !ends_flow(&ops[i]) {
                    continue;
                }
                let j = block_end(ops, i + 1);
                if j > i + 1 && j < ops.len() {
                    let mut new = ir.clone();
                    new.code[f].ops = splice(ops, vec![(i + 1, j - 1, Vec::new())]);
                    push(out, &new, &c.plan);
                }
                // A `return` just before the function's end, or a `br 0` just before its
                // block's, goes where nothing else is left on the stack.
                let here = match ops[i] {
                    Operator::Return => i + 2 == ops.len(),
                    Operator::Br { relative_depth: 0 } => {
                        matches!(ops.get(i + 1), Some(Operator::End))
                            && enclosing(ops, i, 0)
                                .is_none_or(|k| !matches!(ops[k], Operator::Loop { .. }))
                    }
                    _ => false,
                };
                if here {
                    let mut new = ir.clone();
                    new.code[f].ops.remove(i);
                    push(out, &new, &c.plan);
                }
            }
        }
    })
}

/// Code that may never run replaced by `unreachable`: what follows a call (the callee may
/// always throw) or a construct (it may always leave by a branch or an exception) up to the
/// end of their block, and a construct's body or an `if`'s arm (it may never be entered).
/// Where the guess is wrong the module traps, and the key says so.
fn never_run(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        for (f, body) in ir.code.iter().enumerate() {
            let ops = &body.ops;
            for i in 0..ops.len() {
                let from = i + 1;
                let may_skip = matches!(
                    ops[i],
                    Operator::Call { .. }
                        | Operator::CallIndirect { .. }
                        | Operator::CallRef { .. }
                        | Operator::End
                        | Operator::Else
                ) || opens_block(&ops[i]);
                if !may_skip || from >= ops.len() {
                    continue;
                }
                let to = block_end(ops, from);
                if to >= ops.len()
                    || to == from
                    || (to == from + 1 && matches!(ops[from], Operator::Unreachable))
                {
                    continue;
                }
                let mut new = ir.clone();
                new.code[f].ops = splice(ops, vec![(from, to - 1, vec![Operator::Unreachable])]);
                push(out, &new, &c.plan);
            }
        }
    })
}

/// A `br_table` encoded on its own, for [`read_op`] (a wasmparser `br_table` borrows its
/// labels from the bytes it was read from, so a new one needs bytes of its own).
fn br_table_bytes(targets: &[u32], default: u32) -> Vec<u8> {
    use wasm_encoder::Encode;
    let mut bytes = Vec::new();
    wasm_encoder::Instruction::BrTable(targets.to_vec().into(), default).encode(&mut bytes);
    bytes
}

/// The one instruction encoded in `bytes`.
fn read_op(bytes: &[u8]) -> Option<Operator<'_>> {
    wasmparser::OperatorsReader::new(wasmparser::BinaryReader::new(bytes, 0))
        .read()
        .ok()
}

/// Every label a `br_table` with `labels` and `default` can go to, once each, in order.
fn distinct_labels(labels: &[u32], default: u32) -> Vec<u32> {
    let mut distinct: Vec<u32> = labels.iter().copied().chain([default]).collect();
    distinct.sort_unstable();
    distinct.dedup();
    distinct
}

/// A `br_table`'s labels and default; `None` when they cannot be read.
fn table_of(targets: &wasmparser::BrTable) -> Option<(Vec<u32>, u32)> {
    let labels = targets.targets().collect::<Result<Vec<u32>, _>>().ok()?;
    Some((labels, targets.default()))
}

/// Instructions some of which are `br_table`s made here: the rest borrow the module's bytes,
/// these borrow `tables`, so the whole reads only as long as this lives.
#[derive(Debug)]
struct Rebuilt<'a> {
    /// The instructions, a `nop` where each new `br_table` goes.
    ops: Vec<Operator<'a>>,
    /// Where each new `br_table` goes and its encoding.
    tables: Vec<(usize, Vec<u8>)>,
}

impl Rebuilt<'_> {
    /// The instructions, the new `br_table`s in place.
    fn ops(&self) -> Option<Vec<Operator<'_>>> {
        let mut ops: Vec<Operator<'_>> = self.ops.clone();
        for (at, bytes) in &self.tables {
            *ops.get_mut(*at)? = read_op(bytes)?;
        }
        Some(ops)
    }
}

/// The instructions of a construct's body as they read once the construct is gone: branches
/// (`br_table` labels included) to labels outside it one shallower; `None` when something
/// branches to the construct itself (or uses a label in a way this does not rewrite).
fn unwrapped<'a>(inner: &[Operator<'a>]) -> Option<Rebuilt<'a>> {
    use wasmparser::Catch;
    let mut depth = 0u32;
    let outer = |l: u32, depth: u32| -> Option<u32> {
        match l.cmp(&depth) {
            std::cmp::Ordering::Less => Some(l),
            std::cmp::Ordering::Equal => None,
            std::cmp::Ordering::Greater => Some(l - 1),
        }
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut tables = Vec::new();
    for op in inner {
        let op = match op.clone() {
            Operator::Br { relative_depth } => Operator::Br {
                relative_depth: outer(relative_depth, depth)?,
            },
            Operator::BrIf { relative_depth } => Operator::BrIf {
                relative_depth: outer(relative_depth, depth)?,
            },
            Operator::BrOnNull { relative_depth } => Operator::BrOnNull {
                relative_depth: outer(relative_depth, depth)?,
            },
            Operator::BrOnNonNull { relative_depth } => Operator::BrOnNonNull {
                relative_depth: outer(relative_depth, depth)?,
            },
            Operator::BrTable { targets } => {
                let (labels, default) = table_of(&targets)?;
                if labels.iter().chain([&default]).all(|&l| l < depth) {
                    Operator::BrTable { targets }
                } else {
                    let labels = labels
                        .into_iter()
                        .map(|l| outer(l, depth))
                        .collect::<Option<Vec<u32>>>()?;
                    tables.push((out.len(), br_table_bytes(&labels, outer(default, depth)?)));
                    Operator::Nop
                }
            }
            Operator::TryTable { mut try_table } => {
                for catch in &mut try_table.catches {
                    match catch {
                        Catch::One { label, .. }
                        | Catch::OneRef { label, .. }
                        | Catch::All { label }
                        | Catch::AllRef { label } => *label = outer(*label, depth)?,
                    }
                }
                depth += 1;
                Operator::TryTable { try_table }
            }
            Operator::BrOnCast { .. }
            | Operator::BrOnCastFail { .. }
            | Operator::Try { .. }
            | Operator::Delegate { .. }
            | Operator::Rethrow { .. } => return None,
            op if opens_block(&op) => {
                depth += 1;
                op
            }
            Operator::End => {
                depth = depth.checked_sub(1)?;
                Operator::End
            }
            op => op,
        };
        out.push(op);
    }
    Some(Rebuilt { ops: out, tables })
}

fn is_constant(op: &Operator) -> bool {
    matches!(
        op,
        Operator::I32Const { .. }
            | Operator::I64Const { .. }
            | Operator::F32Const { .. }
            | Operator::F64Const { .. }
            | Operator::RefNull { .. }
    )
}

/// Blocks unwrapped, `if` replaced by one arm, `try_table` turned into `block`, catch clauses
/// dropped.
fn blocks(c: &Candidate) -> Vec<Candidate> {
    with_analysis(c, |ir, analyses, out| {
        let emit = |ir: &Ir, out: &mut Vec<Candidate>| push(out, ir, &c.plan);
        for (f, a) in analyses.iter().enumerate() {
            for k in &a.constructs {
                let ops = &ir.code[f].ops;
                let open = &ops[k.open];
                if let Operator::TryTable { try_table } = open {
                    let mut new = ir.clone();
                    new.code[f].ops[k.open] = Operator::Block {
                        blockty: try_table.ty,
                    };
                    emit(&new, out);
                    for j in (0..try_table.catches.len()).rev() {
                        let mut t = try_table.clone();
                        t.catches.remove(j);
                        let mut new = ir.clone();
                        new.code[f].ops[k.open] = Operator::TryTable { try_table: t };
                        emit(&new, out);
                        if let Some(new) = without_exnref(ir, a, f, k.open, j) {
                            emit(&new, out);
                        }
                    }
                }
                let Some(bt) = super::ir::block_type(open) else {
                    continue;
                };
                let unwrap_ok = match bt {
                    BlockType::Empty | BlockType::Type(_) => true,
                    BlockType::FuncType(t) => ir
                        .types
                        .get(t as usize)
                        .is_some_and(|f| f.params().is_empty()),
                };
                match open {
                    Operator::If { .. } => {
                        let then_end = k.else_at.unwrap_or(k.end);
                        let arms = [
                            Some((k.open + 1, then_end)),
                            k.else_at.map(|e| (e + 1, k.end)),
                        ];
                        // The arm in place of the whole `if`, its condition's tree gone.
                        let condition = a.trees.iter().find(|t| t.root == k.open);
                        // Or in a block (its branches to the `if` now leave the block).
                        for (s, e) in arms.into_iter().flatten() {
                            let Some(t) = condition else { continue };
                            let mut in_block = vec![Operator::Block { blockty: bt }];
                            in_block.extend(ops[s..e].iter().cloned());
                            in_block.push(Operator::End);
                            let in_block = Rebuilt {
                                ops: in_block,
                                tables: Vec::new(),
                            };
                            for arm in [unwrapped(&ops[s..e]), Some(in_block)]
                                .into_iter()
                                .flatten()
                            {
                                let Some(arm) = arm.ops() else { continue };
                                let mut edits = tree_edits(t, Vec::new());
                                edits.retain(|e| e.0 != k.open);
                                let mut with = vec![Operator::Drop; t.holes as usize];
                                with.extend(arm);
                                edits.push((k.open, k.end, with));
                                let mut new = ir.clone();
                                new.code[f].ops = splice(ops, edits);
                                emit(&new, out);
                            }
                        }
                        for (s, e) in arms.into_iter().flatten() {
                            let mut body = vec![Operator::Drop, Operator::Block { blockty: bt }];
                            body.extend(ops[s..e].iter().cloned());
                            body.push(Operator::End);
                            if let Some(wasm) = replace(ir, f, k.open, k.end, body) {
                                out.push(Candidate {
                                    wasm,
                                    plan: c.plan.clone(),
                                });
                            }
                        }
                    }
                    _ if opens_block(open) => {
                        // Nothing may branch to the construct; its type does not matter then
                        // (parameters stay on the stack, results are left there).
                        let inner = match unwrapped(&ops[k.open + 1..k.end]) {
                            Some(inner) => inner,
                            None if unwrap_ok => Rebuilt {
                                ops: ops[k.open + 1..k.end].to_vec(),
                                tables: Vec::new(),
                            },
                            None => continue,
                        };
                        let Some(inner) = inner.ops() else { continue };
                        if let Some(wasm) = replace(ir, f, k.open, k.end, inner) {
                            out.push(Candidate {
                                wasm,
                                plan: c.plan.clone(),
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
    })
}

/// Unused locals removed (later locals renumbered); `local.set n; local.get n` fused into
/// `local.tee n`, and a `local.tee` of a local read nowhere else dropped.
fn locals(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        for f in 0..ir.code.len() {
            let ops = &ir.code[f].ops;
            for i in 0..ops.len() {
                if let (
                    Operator::LocalSet { local_index: a },
                    Some(Operator::LocalGet { local_index: b }),
                ) = (&ops[i], ops.get(i + 1))
                    && a == b
                {
                    let mut new = ir.clone();
                    new.code[f]
                        .ops
                        .splice(i..i + 2, [Operator::LocalTee { local_index: *a }]);
                    push(out, &new, &c.plan);
                }
                // A local written and never read: the value dropped instead.
                if let Operator::LocalSet { local_index } = &ops[i]
                    && !ops.iter().any(
                        |o| matches!(o, Operator::LocalGet { local_index: x } if x == local_index),
                    )
                {
                    let mut new = ir.clone();
                    new.code[f].ops[i] = Operator::Drop;
                    push(out, &new, &c.plan);
                }
                if let (Operator::LocalTee { local_index }, Some(Operator::Drop)) =
                    (&ops[i], ops.get(i + 1))
                {
                    let mut new = ir.clone();
                    new.code[f].ops.splice(
                        i..i + 2,
                        [Operator::LocalSet {
                            local_index: *local_index,
                        }],
                    );
                    push(out, &new, &c.plan);
                }
                if let Operator::LocalTee { local_index } = &ops[i]
                    && !ops.iter().any(
                        |o| matches!(o, Operator::LocalGet { local_index: x } if x == local_index),
                    )
                {
                    let mut new = ir.clone();
                    new.code[f].ops.remove(i);
                    push(out, &new, &c.plan);
                }
            }
        }
        let fi = ir.imported(Space::Func);
        for f in 0..ir.code.len() {
            let Some(params) = ir.func_type(fi + f as u32).map(|t| t.params().len() as u32) else {
                continue;
            };
            // All at once: unused locals dropped and the rest grouped by type (one local
            // alone rarely saves a byte: it shrinks a group's count, not the group).
            if let Some(compact) = compact_locals(&ir.code[f], params) {
                let mut new = ir.clone();
                new.code[f] = compact;
                push(out, &new, &c.plan);
            }
            // Locals never written: every read becomes its type's zero, and the locals go.
            let mut zeroed = ir.code[f].clone();
            for (l, ty) in ir.code[f].locals.iter().enumerate() {
                let index = params + l as u32;
                let written = zeroed.ops.iter().any(|op| {
                    matches!(op, Operator::LocalSet { local_index } | Operator::LocalTee { local_index } if *local_index == index)
                });
                if let (false, Some(zero)) = (written, zero_of(*ty)) {
                    for op in &mut zeroed.ops {
                        if matches!(op, Operator::LocalGet { local_index } if *local_index == index)
                        {
                            *op = zero.clone();
                        }
                    }
                }
            }
            if let Some(compact) = compact_locals(&zeroed, params) {
                let mut new = ir.clone();
                new.code[f] = compact;
                push(out, &new, &c.plan);
            }
            for l in (0..ir.code[f].locals.len() as u32).rev() {
                let index = params + l;
                let used = ir.code[f].ops.iter().any(|op| local_of(op) == Some(index));
                if used {
                    continue;
                }
                let mut new = ir.clone();
                new.code[f].locals.remove(l as usize);
                for op in &mut new.code[f].ops {
                    renumber_local(op, index);
                }
                push(out, &new, &c.plan);
            }
        }
    })
}

/// `body` with its unused locals removed and the others ordered by type (so each type is one
/// group in the encoding), every local index renumbered; `None` when nothing would change.
/// Locals all start at their type's default, so their order is not observable.
fn compact_locals<'a>(body: &Body<'a>, params: u32) -> Option<Body<'a>> {
    let used: std::collections::HashSet<u32> = body.ops.iter().filter_map(local_of).collect();
    let mut kept: Vec<(u32, ValType)> = body
        .locals
        .iter()
        .enumerate()
        .map(|(l, t)| (params + l as u32, *t))
        .filter(|(index, _)| used.contains(index))
        .collect();
    kept.sort_by_key(|(index, t)| (format!("{t:?}"), *index));
    let mapping: HashMap<u32, u32> = kept
        .iter()
        .enumerate()
        .map(|(new, (old, _))| (*old, params + new as u32))
        .collect();
    let locals: Vec<ValType> = kept.iter().map(|(_, t)| *t).collect();
    if locals == body.locals {
        return None;
    }
    let mut ops = body.ops.clone();
    for op in &mut ops {
        if let Operator::LocalGet { local_index }
        | Operator::LocalSet { local_index }
        | Operator::LocalTee { local_index } = op
            && let Some(&new) = mapping.get(local_index)
        {
            *local_index = new;
        }
    }
    Some(Body { locals, ops })
}

/// Functions' signatures made shorter: parameters turned into locals (every one at once, then
/// each from the last; callers lose the instructions that made the argument, the plan its
/// value), and the last result dropped inside (callers lose a `drop` or gain a zero).
fn signatures(c: &Candidate) -> Vec<Candidate> {
    with_analysis(c, |ir, analyses, out| {
        let fi = ir.imported(Space::Func);
        for k in 0..ir.code.len() {
            let Some(ty) = ir.func_type(fi + k as u32) else {
                continue;
            };
            let n = ty.params().len();
            let mut sets: Vec<Vec<usize>> = Vec::new();
            if n > 1 {
                sets.push((0..n).collect());
            }
            sets.extend((0..n).rev().map(|j| vec![j]));
            // This function alone, then every function of its type with the indirect calls
            // through the type.
            let t = ir.funcs[k];
            let same: Vec<usize> = (0..ir.code.len()).filter(|&g| ir.funcs[g] == t).collect();
            let shared = same.len() > 1
                || ir.code.iter().any(|b| {
                    b.ops.iter().any(|op| {
                        matches!(op, Operator::CallIndirect { type_index, .. }
                            | Operator::ReturnCallIndirect { type_index, .. } if *type_index == t)
                    })
                });
            for removed in &sets {
                if let Some(candidate) = without_params(ir, analyses, &[k], None, removed, &c.plan)
                {
                    out.push(candidate);
                }
                if shared
                    && same[0] == k
                    && let Some(candidate) =
                        without_params(ir, analyses, &same, Some(t), removed, &c.plan)
                {
                    out.push(candidate);
                }
            }
            if !ty.results().is_empty() {
                if let Some(candidate) = without_last_result(ir, &[k], None, &c.plan) {
                    out.push(candidate);
                }
                if shared
                    && same[0] == k
                    && let Some(candidate) = without_last_result(ir, &same, Some(t), &c.plan)
                {
                    out.push(candidate);
                }
            }
        }
    })
}

/// Tags' payloads made shorter, one value at a time: each `throw` loses the instructions that
/// made it, each block a `catch`/`catch_ref` of the tag lands in loses it from its results
/// (when only those clauses enter the block), and what consumed it after the block loses it
/// too (a `drop` or `local.set` goes, another consumer gets a zero in its place).
fn tag_payloads(c: &Candidate) -> Vec<Candidate> {
    with_analysis(c, |ir, analyses, out| {
        let ti = ir.imported(Space::Tag);
        for k in 0..ir.tags.len() {
            let Some(ty) = ir.types.get(ir.tags[k].func_type_idx as usize) else {
                continue;
            };
            for j in (0..ty.params().len()).rev() {
                if let Some(candidate) = without_payload_value(ir, analyses, ti + k as u32, k, j) {
                    out.push(Candidate {
                        wasm: candidate,
                        plan: c.plan.clone(),
                    });
                }
            }
        }
    })
}

/// The block type of `results`, adding a function type to `ir` when it needs one.
fn block_type_of(ir: &mut Ir, results: Vec<ValType>) -> BlockType {
    match results.as_slice() {
        [] => BlockType::Empty,
        [one] => BlockType::Type(*one),
        _ => {
            ir.types.push(wasmparser::FuncType::new([], results));
            BlockType::FuncType((ir.types.len() - 1) as u32)
        }
    }
}

fn without_payload_value(
    ir: &Ir,
    analyses: &[super::spans::Analysis],
    tag: u32,
    k: usize,
    j: usize,
) -> Option<Vec<u8>> {
    use wasmparser::Catch;
    let ty = ir.types.get(ir.tags[k].func_type_idx as usize)?.clone();
    let value_type = ty.params()[j];
    let mut new = ir.clone();
    new.types.push(wasmparser::FuncType::new(
        ty.params()
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != j)
            .map(|(_, t)| *t),
        [],
    ));
    new.tags[k].func_type_idx = (new.types.len() - 1) as u32;
    for (f, body) in ir.code.iter().enumerate() {
        let ops = &body.ops;
        let a = &analyses[f];
        let mut edits: Vec<(usize, usize, Vec<Operator>)> = Vec::new();
        // The throws lose the value's tree.
        for t in &a.trees {
            if !matches!(ops[t.root], Operator::Throw { tag_index } if tag_index == tag) {
                continue;
            }
            delete_operand(t, j, &mut edits)?;
        }
        // The blocks the catch clauses land in.
        let mut targets: Vec<usize> = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            if let Operator::TryTable { try_table } = op {
                for catch in &try_table.catches {
                    if let Catch::One { tag: t, label } | Catch::OneRef { tag: t, label } = catch
                        && *t == tag
                    {
                        targets.push(enclosing(ops, i, *label)?);
                    }
                }
            }
        }
        targets.sort_unstable();
        targets.dedup();
        let ours = |c: &Catch| matches!(c, Catch::One { tag: t, .. } | Catch::OneRef { tag: t, .. } if *t == tag);
        for target in targets {
            let landing = Landing {
                ops,
                a,
                target,
                j,
                value_type,
            };
            landing.without_value(ir, &mut new, ours, &mut edits)?;
        }
        if !edits.is_empty() {
            new.code[f].ops = splice(ops, edits);
        }
    }
    new.encode()
}

/// The construct `label` levels out from the instruction at `at` (0: the innermost one
/// holding it); `None` for the function's own label.
fn enclosing(ops: &[Operator], at: usize, label: u32) -> Option<usize> {
    let mut open: Vec<usize> = Vec::new();
    for (i, op) in ops[..at].iter().enumerate() {
        if opens_block(op) {
            open.push(i);
        } else if matches!(op, Operator::End) {
            open.pop();
        }
    }
    open.len().checked_sub(1 + label as usize).map(|k| open[k])
}

/// Catch clause `j` of the `try_table` at `at` in function `f` turned from `catch_ref` into
/// `catch` (or `catch_all_ref` into `catch_all`): the block it lands in loses the `exnref`
/// and whatever consumed it after the block goes.
fn without_exnref<'a>(
    ir: &Ir<'a>,
    a: &super::spans::Analysis,
    f: usize,
    at: usize,
    j: usize,
) -> Option<Ir<'a>> {
    use wasmparser::Catch;
    let ops = &ir.code[f].ops;
    let Operator::TryTable { try_table } = &ops[at] else {
        return None;
    };
    let clause = *try_table.catches.get(j)?;
    let (plain, label) = match clause {
        Catch::OneRef { tag, label } => (Catch::One { tag, label }, label),
        Catch::AllRef { label } => (Catch::All { label }, label),
        _ => return None,
    };
    let target = enclosing(ops, at, label)?;
    let results = ir
        .block_results(super::ir::block_type(&ops[target])?)?
        .len();
    let mut new = ir.clone();
    let mut edits = Vec::new();
    let landing = Landing {
        ops,
        a,
        target,
        j: results.checked_sub(1)?,
        value_type: ValType::EXNREF,
    };
    landing.without_value(ir, &mut new, |c| *c == clause, &mut edits)?;
    let mut t = try_table.clone();
    t.catches[j] = plain;
    edits.push((at, at, vec![Operator::TryTable { try_table: t }]));
    new.code[f].ops = splice(ops, edits);
    Some(new)
}

/// Value `j` (of type `value_type`) of the results of the block opened at `target` in `ops`
/// (analysed by `a`): a block that catch clauses land in.
struct Landing<'o, 'a> {
    ops: &'o [Operator<'a>],
    a: &'o super::spans::Analysis,
    target: usize,
    j: usize,
    value_type: ValType,
}

impl<'a> Landing<'_, 'a> {
    /// The edits removing the value, when only the catch clauses `ours` enter the block (its
    /// end is unreachable from inside): the block retyped in `new` (whose types are `ir`'s
    /// and more), and the value's consumer after it deleted (a `drop`, `local.set` or
    /// `global.set`) or, when the value is its last operand, fed a zero instead.
    fn without_value(
        &self,
        ir: &Ir,
        new: &mut Ir,
        ours: impl Fn(&wasmparser::Catch) -> bool,
        edits: &mut Vec<(usize, usize, Vec<Operator<'a>>)>,
    ) -> Option<()> {
        let (ops, a, target, j) = (self.ops, self.a, self.target, self.j);
        let construct = a.constructs.iter().find(|k| k.open == target)?;
        let Operator::Block { blockty } = ops[target] else {
            return None;
        };
        if construct.end == 0 || !ends_flow(&ops[construct.end - 1]) {
            return None;
        }
        if branches_to(&ops[target + 1..construct.end], ours)? {
            return None;
        }
        let mut results = ir.block_results(blockty)?;
        if j >= results.len() {
            return None;
        }
        results.remove(j);
        let blockty = block_type_of(new, results);
        edits.push((target, target, vec![Operator::Block { blockty }]));
        // What consumed the value after the block.
        let (t, at) = a.trees.iter().find_map(|t| {
            t.origins
                .iter()
                .position(|o| *o == Some((construct.end, j as u32)))
                .map(|at| (t, at))
        })?;
        match ops[t.root] {
            Operator::Drop | Operator::LocalSet { .. } | Operator::GlobalSet { .. } => {
                edits.push((t.root, t.root, Vec::new()));
            }
            _ if at + 1 == t.origins.len() => {
                edits.push((
                    t.root,
                    t.root,
                    vec![zero_of(self.value_type)?, ops[t.root].clone()],
                ));
            }
            _ => return None,
        }
        Some(())
    }
}

/// `ir` with the parameters `removed` of the defined functions `ks` (all of one type) turned
/// into locals; with `indirect`, the calls through that type lose the arguments too.
fn without_params(
    ir: &Ir,
    analyses: &[super::spans::Analysis],
    ks: &[usize],
    indirect: Option<u32>,
    removed: &[usize],
    plan: &oracles::differential::Plan,
) -> Option<Candidate> {
    let fi = ir.imported(Space::Func);
    let ty = ir.func_type(fi + *ks.first()? as u32)?.clone();
    let n = ty.params().len();
    let kept: Vec<ValType> = (0..n)
        .filter(|j| !removed.contains(j))
        .map(|j| ty.params()[j])
        .collect();
    let mut new = ir.clone();
    new.types.push(wasmparser::FuncType::new(
        kept,
        ty.results().iter().copied(),
    ));
    let new_type = (new.types.len() - 1) as u32;
    let funcs: Vec<u32> = ks.iter().map(|&k| fi + k as u32).collect();
    for &k in ks {
        new.funcs[k] = new_type;
    }
    // Callers lose each removed argument's tree; what it consumed from outside is dropped.
    for (g, body) in ir.code.iter().enumerate() {
        let calls: Vec<usize> = (0..body.ops.len())
            .filter(|&i| match body.ops[i] {
                Operator::Call { function_index } | Operator::ReturnCall { function_index } => {
                    funcs.contains(&function_index)
                }
                Operator::CallIndirect { type_index, .. }
                | Operator::ReturnCallIndirect { type_index, .. } => Some(type_index) == indirect,
                _ => false,
            })
            .collect();
        if calls.is_empty() {
            continue;
        }
        let mut edits = Vec::new();
        for call in calls {
            let tree = analyses[g].trees.iter().find(|t| t.root == call)?;
            for &j in removed {
                delete_operand(tree, j, &mut edits)?;
            }
            if let Some(t) = indirect
                && let Operator::CallIndirect {
                    type_index,
                    table_index,
                }
                | Operator::ReturnCallIndirect {
                    type_index,
                    table_index,
                } = &body.ops[call]
                && *type_index == t
            {
                let op = match &body.ops[call] {
                    Operator::CallIndirect { .. } => Operator::CallIndirect {
                        type_index: new_type,
                        table_index: *table_index,
                    },
                    _ => Operator::ReturnCallIndirect {
                        type_index: new_type,
                        table_index: *table_index,
                    },
                };
                edits.push((call, call, vec![op]));
            }
        }
        new.code[g].ops = splice(&body.ops, edits);
    }
    // Kept parameters close up; removed ones that are read become the first locals, after
    // them (the others vanish).
    let n = n as u32;
    for &k in ks {
        let body = &mut new.code[k];
        let used = |j: usize| body.ops.iter().any(|op| local_of(op) == Some(j as u32));
        let became: Vec<usize> = removed.iter().copied().filter(|&j| used(j)).collect();
        let kept_count = n - removed.len() as u32;
        let shift = (removed.len() - became.len()) as u32;
        let map = |i: u32| -> u32 {
            if i >= n {
                i - shift
            } else if let Some(pos) = became.iter().position(|&j| j as u32 == i) {
                kept_count + pos as u32
            } else {
                i - removed.iter().filter(|&&j| (j as u32) < i).count() as u32
            }
        };
        for op in &mut body.ops {
            if let Operator::LocalGet { local_index }
            | Operator::LocalSet { local_index }
            | Operator::LocalTee { local_index } = op
            {
                *local_index = map(*local_index);
            }
        }
        let mut locals: Vec<ValType> = became.iter().map(|&j| ty.params()[j]).collect();
        locals.extend(body.locals.iter().copied());
        body.locals = locals;
    }
    let names: Vec<&str> = ir
        .exports
        .iter()
        .filter(|e| e.kind == ExternalKind::Func && funcs.contains(&e.index))
        .map(|e| e.name.as_str())
        .collect();
    let mut plan = plan.clone();
    for call in &mut plan.calls {
        if names.contains(&call.func.as_str()) && call.args.len() == n as usize {
            call.args = (0..n as usize)
                .filter(|j| !removed.contains(j))
                .map(|j| call.args[j])
                .collect();
        }
    }
    Some(Candidate {
        wasm: new.encode()?,
        plan,
    })
}

/// `ir` with the last result of the defined functions `ks` (all of one type) gone: its
/// producer deleted when it is a lone constant or read, else dropped at the end — when a
/// function has no other way out (no `return`, tail call or branch to its own label). Callers
/// lose a `drop` or gain a zero; with `indirect`, the calls through that type too.
fn without_last_result(
    ir: &Ir,
    ks: &[usize],
    indirect: Option<u32>,
    plan: &oracles::differential::Plan,
) -> Option<Candidate> {
    let fi = ir.imported(Space::Func);
    let ty = ir.func_type(fi + *ks.first()? as u32)?.clone();
    let (&last, rest) = ty.results().split_last()?;
    let funcs: Vec<u32> = ks.iter().map(|&k| fi + k as u32).collect();
    let mut new = ir.clone();
    new.types.push(wasmparser::FuncType::new(
        ty.params().iter().copied(),
        rest.iter().copied(),
    ));
    let new_type = (new.types.len() - 1) as u32;
    for &k in ks {
        let ops = &ir.code[k].ops;
        let inner = &ops[..ops.len().saturating_sub(1)];
        let tail = inner.iter().any(|op| {
            matches!(
                op,
                Operator::Return
                    | Operator::ReturnCall { .. }
                    | Operator::ReturnCallIndirect { .. }
                    | Operator::ReturnCallRef { .. }
            )
        });
        if tail || branches_to(inner, |_| false)? {
            return None;
        }
        new.funcs[k] = new_type;
        let end = ops.len().checked_sub(1)?;
        let lone = end > 0
            && matches!(
                ops[end - 1],
                Operator::I32Const { .. }
                    | Operator::I64Const { .. }
                    | Operator::F32Const { .. }
                    | Operator::F64Const { .. }
                    | Operator::RefNull { .. }
                    | Operator::LocalGet { .. }
                    | Operator::GlobalGet { .. }
            );
        let body = &mut new.code[k].ops;
        if lone {
            body.remove(end - 1);
        } else if end == 0 || !ends_flow(&ops[end - 1]) {
            body.insert(end, Operator::Drop);
        }
    }
    for (g, body) in ir.code.iter().enumerate() {
        let mut edits = Vec::new();
        for (i, op) in body.ops.iter().enumerate() {
            let call = match op {
                Operator::Call { function_index } => funcs.contains(function_index),
                Operator::ReturnCall { function_index } if funcs.contains(function_index) => {
                    return None;
                }
                Operator::CallIndirect { type_index, .. } => Some(*type_index) == indirect,
                Operator::ReturnCallIndirect { type_index, .. }
                    if Some(*type_index) == indirect =>
                {
                    return None;
                }
                _ => false,
            };
            if !call {
                continue;
            }
            let op = match op {
                Operator::CallIndirect { table_index, .. } => Operator::CallIndirect {
                    type_index: new_type,
                    table_index: *table_index,
                },
                op => op.clone(),
            };
            if matches!(body.ops.get(i + 1), Some(Operator::Drop)) {
                edits.push((i, i + 1, vec![op]));
            } else if matches!(body.ops.get(i + 1), Some(Operator::Unreachable)) {
                // The value was never used: nothing stands in for it.
                edits.push((i, i, vec![op]));
            } else {
                edits.push((i, i, vec![op, zero_of(last)?]));
            }
        }
        // A function of `ks` had only its end edited above; its calls come before that.
        if !edits.is_empty() {
            let base = new.code[g].ops.clone();
            new.code[g].ops = splice(&base, edits);
        }
    }
    Some(Candidate {
        wasm: new.encode()?,
        plan: plan.clone(),
    })
}

fn local_of(op: &Operator) -> Option<u32> {
    match op {
        Operator::LocalGet { local_index }
        | Operator::LocalSet { local_index }
        | Operator::LocalTee { local_index } => Some(*local_index),
        _ => None,
    }
}

fn renumber_local(op: &mut Operator, removed: u32) {
    if let Operator::LocalGet { local_index }
    | Operator::LocalSet { local_index }
    | Operator::LocalTee { local_index } = op
        && *local_index > removed
    {
        *local_index -= 1;
    }
}

/// Smaller values for an integer constant: zero, one, minus one, half.
fn smaller(v: i64) -> Vec<i64> {
    let mut out = vec![0, 1, -1, v / 2, v / 16, v >> 32];
    out.retain(|&x| {
        x.unsigned_abs() < v.unsigned_abs() || (x == -1 && v != -1 && v != 0 && v != 1)
    });
    out.dedup();
    out
}

/// The memory argument of a load or store.
pub fn memarg_of<'o>(op: &'o Operator) -> Option<&'o wasmparser::MemArg> {
    macro_rules! arms {
        ($($name:ident)*) => {
            match op {
                $(Operator::$name { memarg, .. } => Some(memarg),)*
                _ => None,
            }
        };
    }
    arms!(I32Load I64Load F32Load F64Load I32Load8S I32Load8U I32Load16S I32Load16U
        I64Load8S I64Load8U I64Load16S I64Load16U I64Load32S I64Load32U
        I32Store I64Store F32Store F64Store I32Store8 I32Store16 I64Store8 I64Store16 I64Store32)
}

fn memarg_of_mut<'o, 'a>(op: &'o mut Operator<'a>) -> Option<&'o mut wasmparser::MemArg> {
    macro_rules! arms {
        ($($name:ident)*) => {
            match op {
                $(Operator::$name { memarg, .. } => Some(memarg),)*
                _ => None,
            }
        };
    }
    arms!(I32Load I64Load F32Load F64Load I32Load8S I32Load8U I32Load16S I32Load16U
        I64Load8S I64Load8U I64Load16S I64Load16U I64Load32S I64Load32U
        I32Store I64Store F32Store F64Store I32Store8 I32Store16 I64Store8 I64Store16 I64Store32)
}

/// Integer constants, float constants and memory offsets made smaller, alignments minimal.
fn constants(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        for f in 0..ir.code.len() {
            for i in 0..ir.code[f].ops.len() {
                let op = &ir.code[f].ops[i];
                let mut variants: Vec<Operator> = Vec::new();
                match op {
                    Operator::I32Const { value } => {
                        for v in smaller(i64::from(*value)) {
                            variants.push(Operator::I32Const { value: v as i32 });
                        }
                    }
                    Operator::I64Const { value } => {
                        for v in smaller(*value) {
                            variants.push(Operator::I64Const { value: v });
                        }
                    }
                    Operator::F32Const { value } if value.bits() != 0 => {
                        variants.push(Operator::F32Const {
                            value: wasmparser::Ieee32::from(0.0f32),
                        });
                    }
                    Operator::F64Const { value } if value.bits() != 0 => {
                        variants.push(Operator::F64Const {
                            value: wasmparser::Ieee64::from(0.0f64),
                        });
                    }
                    _ => {
                        if let Some(m) = memarg_of(op) {
                            for off in smaller(m.offset as i64) {
                                if off >= 0 {
                                    let mut o = op.clone();
                                    if let Some(mm) = memarg_of_mut(&mut o) {
                                        mm.offset = off as u64;
                                    }
                                    variants.push(o);
                                }
                            }
                            if m.align > 0 {
                                let mut o = op.clone();
                                if let Some(mm) = memarg_of_mut(&mut o) {
                                    mm.align = 0;
                                }
                                variants.push(o);
                            }
                        }
                    }
                }
                for v in variants {
                    let mut new = ir.clone();
                    new.code[f].ops[i] = v;
                    push(out, &new, &c.plan);
                }
            }
        }
        // Offsets of data segments and global initializers.
        for d in 0..ir.datas.len() {
            if let Some((_, offset)) = &ir.datas[d].active
                && let [op] = offset.as_slice()
            {
                for v in const_variants(op) {
                    let mut new = ir.clone();
                    if let Some((_, o)) = &mut new.datas[d].active {
                        *o = vec![v];
                    }
                    push(out, &new, &c.plan);
                }
            }
        }
        for g in 0..ir.globals.len() {
            if let [op] = ir.globals[g].1.as_slice() {
                for v in const_variants(op) {
                    let mut new = ir.clone();
                    new.globals[g].1 = vec![v];
                    push(out, &new, &c.plan);
                }
            }
        }
    })
}

fn const_variants(op: &Operator) -> Vec<Operator<'static>> {
    match op {
        Operator::I32Const { value } => smaller(i64::from(*value))
            .into_iter()
            .map(|v| Operator::I32Const { value: v as i32 })
            .collect(),
        Operator::I64Const { value } => smaller(*value)
            .into_iter()
            .map(|v| Operator::I64Const { value: v })
            .collect(),
        _ => Vec::new(),
    }
}

/// Memory and table limits made smaller, maxima dropped, data bytes and element items cut
/// from either end.
fn limits_and_data(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        for m in 0..ir.memories.len() {
            let mem = ir.memories[m];
            let mut variants = Vec::new();
            if mem.maximum.is_some() && !mem.shared {
                variants.push(wasmparser::MemoryType {
                    maximum: None,
                    ..mem
                });
            }
            for v in smaller(mem.initial as i64) {
                if v >= 0 && mem.maximum.is_none_or(|_| true) {
                    variants.push(wasmparser::MemoryType {
                        initial: v as u64,
                        ..mem
                    });
                }
            }
            for v in variants {
                let mut new = ir.clone();
                new.memories[m] = v;
                push(out, &new, &c.plan);
            }
        }
        for t in 0..ir.tables.len() {
            let (ty, _) = ir.tables[t].clone();
            let mut variants = Vec::new();
            if ty.maximum.is_some() {
                variants.push(wasmparser::TableType {
                    maximum: None,
                    ..ty
                });
            }
            for v in smaller(ty.initial as i64) {
                if v >= 0 {
                    variants.push(wasmparser::TableType {
                        initial: v as u64,
                        ..ty
                    });
                }
            }
            for v in variants {
                let mut new = ir.clone();
                new.tables[t].0 = v;
                push(out, &new, &c.plan);
            }
        }
        // Data bytes and element items cut from the end, then from the start (an active
        // segment's offset moving with them, so what stays stays where it was), by halves
        // first.
        for d in 0..ir.datas.len() {
            for (k, from_start) in cuts(ir.datas[d].bytes.len()) {
                let mut new = ir.clone();
                let seg = &mut new.datas[d];
                if !from_start {
                    seg.bytes.truncate(seg.bytes.len() - k);
                } else if seg.active.as_mut().is_some_and(|a| moved(&mut a.1, k)) {
                    seg.bytes.drain(..k);
                } else {
                    continue;
                }
                push(out, &new, &c.plan);
            }
        }
        for e in 0..ir.elems.len() {
            let ElemItems::Funcs(items) = &ir.elems[e].items else {
                continue;
            };
            for (k, from_start) in cuts(items.len()) {
                let mut new = ir.clone();
                let seg = &mut new.elems[e];
                let ElemItems::Funcs(items) = &mut seg.items else {
                    continue;
                };
                if !from_start {
                    items.truncate(items.len() - k);
                } else if let super::ir::ElemMode::Active { offset, .. } = &mut seg.mode
                    && moved(offset, k)
                {
                    items.drain(..k);
                } else {
                    continue;
                }
                push(out, &new, &c.plan);
            }
        }
    })
}

/// How many of `n` items to cut, from the end (`false`) and then from the start (`true`): all,
/// halves, quarters, eighths, one (from the start, never all).
fn cuts(n: usize) -> Vec<(usize, bool)> {
    let mut k: Vec<usize> = vec![n, n / 2, n / 4, n / 8, 1];
    k.retain(|&k| k > 0 && k <= n);
    k.dedup();
    let from_end = k.iter().map(|&k| (k, false));
    let from_start = k.iter().filter(|&&k| k < n).map(|&k| (k, true));
    from_end.chain(from_start).collect()
}

/// A constant offset moved `k` further; `false` when it is not a constant.
fn moved(offset: &mut [Operator], k: usize) -> bool {
    match offset {
        [Operator::I32Const { value }] => {
            *value = value.wrapping_add(k as i32);
            true
        }
        [Operator::I64Const { value }] => {
            *value = value.wrapping_add(k as i64);
            true
        }
        _ => false,
    }
}

/// The plan's arguments made smaller.
fn arguments(c: &Candidate) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (k, call) in c.plan.calls.iter().enumerate() {
        for (a, arg) in call.args.iter().enumerate() {
            let variants: Vec<Val> = match *arg {
                Val::I32(v) => smaller(i64::from(v))
                    .into_iter()
                    .map(|x| Val::I32(x as i32))
                    .collect(),
                Val::I64(v) => smaller(v).into_iter().map(Val::I64).collect(),
                Val::F32(b) if b != 0 => vec![Val::F32(0)],
                Val::F64(b) if b != 0 => vec![Val::F64(0)],
                _ => Vec::new(),
            };
            for v in variants {
                let mut plan = c.plan.clone();
                plan.calls[k].args[a] = v;
                out.push(Candidate {
                    wasm: c.wasm.clone(),
                    plan,
                });
            }
        }
    }
    out
}

/// The plan's functions exported as `f`, `g`, `h`, ... (the plan follows).
fn rename_exports(c: &Candidate) -> Vec<Candidate> {
    with_ir(c, |ir, out| {
        let mut names: Vec<String> = Vec::new();
        for call in &c.plan.calls {
            if !names.contains(&call.func) {
                names.push(call.func.clone());
            }
        }
        let short = |i: usize| -> String {
            let letters = "fghkmnpqrstuvwxyz";
            letters
                .chars()
                .nth(i)
                .map_or(format!("f{i}"), |ch| ch.to_string())
        };
        if names.iter().enumerate().all(|(i, n)| *n == short(i)) {
            return;
        }
        let mut new = ir.clone();
        // Names not used by the plan keep theirs unless they collide.
        for e in &mut new.exports {
            if let Some(i) = names.iter().position(|n| *n == e.name) {
                e.name = short(i);
            } else if (0..names.len()).any(|i| short(i) == e.name) {
                e.name = format!("_{}", e.name);
            }
        }
        let plan = oracles::differential::Plan {
            calls: c
                .plan
                .calls
                .iter()
                .map(|call| Call {
                    func: short(names.iter().position(|n| *n == call.func).unwrap_or(0)),
                    args: call.args.clone(),
                })
                .collect(),
        };
        if let Some(wasm) = new.encode() {
            out.push(Candidate { wasm, plan });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use oracles::differential::Plan;

    fn candidate(wat: &str, args: Vec<Val>) -> Candidate {
        let wasm = wat::parse_str(wat).unwrap();
        Candidate {
            wasm,
            plan: Plan {
                calls: vec![Call {
                    func: "f".into(),
                    args,
                }],
            },
        }
    }

    /// Every candidate of `pass` printed (the invalid ones left out).
    fn texts(pass: fn(&Candidate) -> Vec<Candidate>, c: &Candidate) -> Vec<(String, Candidate)> {
        pass(c)
            .into_iter()
            .filter(|c| {
                wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
                    .validate_all(&c.wasm)
                    .is_ok()
            })
            .map(|c| (wasmprinter::print_bytes(&c.wasm).unwrap(), c))
            .collect()
    }

    /// The instructions of function `func` in every valid candidate of `pass`.
    fn bodies_of(
        pass: fn(&Candidate) -> Vec<Candidate>,
        c: &Candidate,
        func: usize,
    ) -> Vec<Vec<String>> {
        texts(pass, c).iter().map(|(t, _)| body(t, func)).collect()
    }

    /// The instructions of function `func` in printed text, one per item.
    fn body(text: &str, func: usize) -> Vec<String> {
        let Some(start) = text.find(&format!("\n  (func (;{func};)")) else {
            return Vec::new();
        };
        text[start + 1..]
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with("    "))
            .map(str::trim)
            .filter(|l| !l.starts_with("(local"))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn dataflow_deletes_a_statement_with_its_distant_operand() {
        // `local.set 1` consumes the constant pushed before the call: the two go together,
        // the call between them stays.
        let c = candidate(
            r#"(module
                 (func $g)
                 (func (export "f") (param i32) (result i32) (local i32)
                   i32.const 5
                   call $g
                   local.set 1
                   local.get 0))"#,
            vec![Val::I32(0)],
        );
        let all = texts(dataflow, &c);
        assert!(
            all.iter()
                .any(|(t, _)| body(t, 1) == ["call 0", "local.get 0"]),
            "{:#?}",
            all.iter().map(|(t, _)| body(t, 1)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn dataflow_keeps_a_call_and_drops_what_came_from_outside() {
        // The add's operands come from a two-result call (holes of the tree): the add and the
        // set go, a drop per hole takes their place; and the call inside `i32.eqz` is kept
        // while the eqz around it goes.
        let c = candidate(
            r#"(module
                 (func $pair (result i32 i32) i32.const 1 i32.const 2)
                 (func $one (result i32) i32.const 3)
                 (func (export "f") (local i32)
                   call $pair
                   i32.add
                   local.set 0
                   call $one
                   i32.eqz
                   local.set 0))"#,
            vec![],
        );
        let bodies: Vec<Vec<String>> = bodies_of(dataflow, &c, 2);
        assert!(
            bodies.iter().any(|b| b.starts_with(&[
                "call 0".into(),
                "drop".into(),
                "drop".into(),
                "call 1".into()
            ])),
            "{bodies:#?}"
        );
        assert!(
            bodies
                .iter()
                .any(|b| b.ends_with(&["call 1".into(), "drop".into()]) && b.len() == 5),
            "{bodies:#?}"
        );
    }

    #[test]
    fn dataflow_replaces_a_scattered_value_by_one_of_its_operands() {
        let c = candidate(
            r#"(module
                 (func $g)
                 (func (export "f") (param i32) (result i32)
                   local.get 0
                   call $g
                   i32.const 5
                   i32.add))"#,
            vec![Val::I32(0)],
        );
        let bodies: Vec<Vec<String>> = bodies_of(dataflow, &c, 1);
        for want in [["local.get 0", "call 0"], ["call 0", "i32.const 5"]] {
            assert!(bodies.iter().any(|b| b == &want), "{want:?} in {bodies:#?}");
        }
    }

    #[test]
    fn unwrapping_relabels_branches_out_of_the_construct() {
        let wasm = wat::parse_str(
            r#"(module (func
                 (block $out
                   (block $gone
                     (br_if $out (i32.const 1))
                     (block $in (br $in))))))"#,
        )
        .unwrap();
        let ir = Ir::parse(&wasm).unwrap();
        let ops = &ir.code[0].ops;
        // ops: 0 block $out, 1 block $gone, 2 i32.const, 3 br_if 1, 4 block $in, 5 br 0,
        //      6 end, 7 end ($gone), 8 end, 9 end
        let inner = unwrapped(&ops[2..7]).expect("nothing branches to $gone");
        let inner = inner.ops().unwrap();
        assert_eq!(inner[1], Operator::BrIf { relative_depth: 0 });
        assert_eq!(inner[3], Operator::Br { relative_depth: 0 });
        // A branch to the construct itself cannot be unwrapped.
        assert!(unwrapped(&ops[1..8]).is_none());
    }

    #[test]
    fn signatures_drop_parameters_with_their_arguments_and_plan_values() {
        let c = candidate(
            r#"(module
                 (func $g (param i32 i64) (result i32) local.get 0)
                 (func (export "f") (param i32 f64) (result i32)
                   local.get 0
                   i64.const 2
                   call $g))"#,
            vec![Val::I32(4), Val::F64(0)],
        );
        let all = texts(signatures, &c);
        // $g's i64 parameter and the constant that fed it gone.
        assert!(
            all.iter().any(|(t, _)| t.contains("(func (;0;) (type")
                && body(t, 1) == ["local.get 0", "call 0"]
                && t.contains("(param i32) (result i32)")),
            "{:#?}",
            all.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>()
        );
        // The exported function's f64 parameter gone, and its value from the plan.
        assert!(
            all.iter()
                .any(|(_, c)| c.plan.calls[0].args == [Val::I32(4)]),
            "{:#?}",
            all.iter().map(|(_, c)| c.plan.clone()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn signatures_drop_a_result_the_callers_dropped() {
        // The lone constant that made it goes with it.
        let c = candidate(
            r#"(module
                 (func $g (result i32 i64) i32.const 1 i64.const 2)
                 (func (export "f") (result i32) call $g drop))"#,
            vec![],
        );
        let all = texts(signatures, &c);
        assert!(
            all.iter()
                .any(|(t, _)| body(t, 1) == ["call 0"] && body(t, 0) == ["i32.const 1"]),
            "{:#?}",
            all.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn branches_become_unconditional_or_vanish() {
        let c = candidate(
            r#"(module
                 (func (export "f") (param i32)
                   (block (block (br_table 0 1 (local.get 0))))))"#,
            vec![Val::I32(0)],
        );
        let bodies: Vec<Vec<String>> = bodies_of(branches, &c, 0);
        assert!(
            bodies
                .iter()
                .any(|b| b.contains(&"br 1 (;@1;)".to_string())),
            "{bodies:#?}"
        );
        // The table itself shrunk: a label left out, or a label that occurs once sent where
        // the other goes.
        let mut tables: Vec<&str> = bodies
            .iter()
            .flatten()
            .filter(|l| l.starts_with("br_table"))
            .map(String::as_str)
            .collect();
        tables.sort_unstable();
        assert_eq!(
            tables,
            [
                "br_table 0 (;@2;) 0 (;@2;)",
                "br_table 1 (;@1;)",
                "br_table 1 (;@1;) 1 (;@1;)"
            ]
        );
    }

    #[test]
    fn fewer_labels_cost_less_and_unwrapping_relabels_a_table() {
        let wat = |table: &str| {
            wat::parse_str(format!(
                "(module (func (param i32) (block (block (block {table} (local.get 0))))))"
            ))
            .unwrap()
        };
        // Same size, one label fewer: cheaper.
        assert!(const_weight(&wat("(br_table 0 1 1)")) > const_weight(&wat("(br_table 1 1 1)")));
        // The innermost block unwrapped: the table's labels out of it one shallower.
        let c = candidate(
            r#"(module (func (export "f") (param i32)
                 (block (block (block (br_table 1 2 (local.get 0)))))))"#,
            vec![Val::I32(0)],
        );
        let bodies: Vec<Vec<String>> = bodies_of(blocks, &c, 0);
        assert!(
            bodies
                .iter()
                .any(|b| b.contains(&"br_table 0 (;@2;) 1 (;@1;)".to_string())),
            "{bodies:#?}"
        );
    }

    #[test]
    fn an_export_that_only_calls_hands_its_constants_to_the_plan() {
        let c = candidate(
            r#"(module
                 (func $g (param i64 f32) (result i32) i32.const 0)
                 (func (export "f") (result i32) i64.const -2 f32.const 1.5 call $g))"#,
            vec![],
        );
        let all = texts(retarget_exports, &c);
        assert!(
            all.iter().any(|(t, c)| !t.contains("(func (;1;)")
                && c.plan.calls[0].args == [Val::I64(-2), Val::F32(1.5f32.to_bits())]),
            "{:#?}",
            all.iter().map(|(t, c)| (t, &c.plan)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_tag_payload_value_goes_from_throw_catch_block_and_consumer() {
        let c = candidate(
            r#"(module
                 (tag $t (param i32 f32))
                 (func (export "f") (result i32)
                   (block $h (result i32 f32)
                     (try_table (catch $t $h) (throw $t (i32.const 1) (f32.const 2)))
                     (unreachable))
                   drop))"#,
            vec![],
        );
        let all = texts(tag_payloads, &c);
        // The i32 is the function's result, with no consumer to fix: only the f32 goes.
        assert_eq!(all.len(), 1, "{all:#?}");
        let text = &all[0].0;
        assert!(text.contains("(param i32))\n  (export"), "{text}");
        assert_eq!(
            body(text, 0),
            [
                "block (result i32) ;; label = @1",
                "try_table (catch 0 0 (;@1;)) ;; label = @2",
                "i32.const 1",
                "throw 0",
                "end",
                "unreachable",
                "end"
            ]
        );
    }

    #[test]
    fn data_is_cut_from_either_end_and_its_bytes_stay_in_place() {
        let cases: [(&str, &[&str]); 2] = [
            (
                r#"(module (memory 1) (data (i32.const 100) "abcdefgh") (func (export "f")))"#,
                &[
                    r#"(i32.const 100) "abcd")"#,
                    r#"(i32.const 104) "efgh")"#,
                    r#"(i32.const 101) "bcdefgh")"#,
                    r#"(i32.const 100) "abcdefg")"#,
                ],
            ),
            // Element items the same way: each function stays at its table index.
            (
                r#"(module (table 200 funcref) (func $a) (func $b) (func $c) (func $d)
                     (elem (i32.const 100) func $a $b $c $d) (func (export "f")))"#,
                &[
                    "(elem (;0;) (i32.const 100) func 0 1)",
                    "(elem (;0;) (i32.const 102) func 2 3)",
                    "(elem (;0;) (i32.const 101) func 1 2 3)",
                ],
            ),
        ];
        for (wat, wants) in cases {
            let all: Vec<String> = texts(limits_and_data, &candidate(wat, vec![]))
                .into_iter()
                .map(|(t, _)| t)
                .collect();
            for want in wants {
                assert!(all.iter().any(|t| t.contains(want)), "{want} in {all:#?}");
            }
        }
    }

    #[test]
    fn a_local_never_written_reads_as_zero_and_goes() {
        let c = candidate(
            r#"(module (func (export "f") (param i32) (result i64)
                 (local i64 i64 f32)
                 (local.set 3 (f32.const 1))
                 (local.get 2)))"#,
            vec![Val::I32(0)],
        );
        let all = texts(locals, &c);
        assert!(
            all.iter().any(|(t, _)| t.contains("(local f32)")
                && body(t, 0) == ["f32.const 0x1p+0 (;=1;)", "local.set 1", "i64.const 0"]),
            "{:#?}",
            all.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn dead_code_after_a_throw_goes() {
        let c = candidate(
            r#"(module (tag) (func (export "f") (result i32)
                 throw 0
                 i32.const 1
                 i32.const 2
                 i32.add))"#,
            vec![],
        );
        let bodies: Vec<Vec<String>> = bodies_of(dead_code, &c, 0);
        assert_eq!(bodies, [["throw 0"]]);
    }

    #[test]
    fn code_after_a_call_or_a_construct_may_never_run() {
        let c = candidate(
            r#"(module (func $g) (func (export "f") (result i32)
                 call $g
                 (block (nop))
                 i32.const 1))"#,
            vec![],
        );
        let bodies: Vec<Vec<String>> = bodies_of(never_run, &c, 1);
        for want in [
            vec!["call 0", "unreachable"],
            vec!["call 0", "block ;; label = @1", "nop", "end", "unreachable"],
            vec![
                "call 0",
                "block ;; label = @1",
                "unreachable",
                "end",
                "i32.const 1",
            ],
        ] {
            assert!(bodies.iter().any(|b| *b == want), "{want:?} in {bodies:#?}");
        }
    }

    #[test]
    fn a_store_observes_a_value_that_decided_its_address() {
        // The value chose the address through a branch; the candidate stores the value itself.
        let c = candidate(
            r#"(module (memory i64 1) (global (mut i32) (i32.const 0))
                 (func (export "f") (param i32)
                   (block (result i64)
                     (br_if 0 (i64.const 8) (i32.eqz (local.get 0)))
                     (drop)
                     (i64.const 16))
                   (f64.const 1)
                   (f64.store)))"#,
            vec![Val::I32(0)],
        );
        let bodies: Vec<Vec<String>> = bodies_of(observe, &c, 0);
        let want = ["i64.const 0", "local.get 0", "i32.eqz", "i32.store align=1"];
        assert!(
            bodies.contains(&want.map(String::from).to_vec()),
            "{bodies:#?}"
        );
        // The block, whose branch stays inside it, is a value too.
        assert!(
            bodies
                .iter()
                .any(|b| b.first().map(String::as_str) == Some("i64.const 0")
                    && b.last().map(String::as_str) == Some("i64.store align=1")),
            "{bodies:#?}"
        );
        // What branches out of itself is never moved away from its label.
        let wasm = wat::parse_str(
            "(module (func (block (block (br 1)) (block (br 0)) (try_table (catch_all 1)))))",
        )
        .unwrap();
        let ir = Ir::parse(&wasm).unwrap();
        let ops = &ir.code[0].ops;
        // ops: 0 block, 1 block, 2 br 1, 3 end, 4 block, 5 br 0, 6 end, 7 try_table, 8 end, ...
        assert_eq!(escapes(&ops[1..=3]), Some(true));
        assert_eq!(escapes(&ops[4..=6]), Some(false));
        assert_eq!(escapes(&ops[7..=8]), Some(true));
    }

    #[test]
    fn a_planned_function_returns_a_value_it_computes_whatever_its_type() {
        let c = candidate(
            r#"(module (func (export "f") (result f32)
                 (block (result f64) (f64.const 2))
                 i64.reinterpret_f64
                 i32.wrap_i64
                 f32.reinterpret_i32))"#,
            vec![],
        );
        let all = texts(observe, &c);
        assert!(
            all.iter().any(|(t, _)| t.contains("(result f64)")
                && body(t, 0)
                    == [
                        "block (result f64) ;; label = @1",
                        "f64.const 0x1p+1 (;=2;)",
                        "end",
                        "return",
                    ]),
            "{:#?}",
            all.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>()
        );
        // A function something calls keeps its type.
        let c = candidate(
            r#"(module (func (export "f") (result f32)
                 (f32.convert_i32_s (i32.const 3)))
                 (func (drop (call 0))))"#,
            vec![],
        );
        assert!(texts(observe, &c).is_empty());
    }

    #[test]
    fn a_branch_where_control_goes_anyway_and_a_value_nobody_takes_go() {
        let c = candidate(
            r#"(module (func (export "f") (result i32)
                 (block (br 0))
                 f64.const 1
                 i32.const 2
                 return))"#,
            vec![],
        );
        // The `br 0` goes; the `return` stays while the `f64` lies below what it returns.
        let dead: Vec<Vec<String>> = bodies_of(dead_code, &c, 0);
        let want = [
            "block ;; label = @1",
            "end",
            "f64.const 0x1p+0 (;=1;)",
            "i32.const 2",
            "return",
        ];
        assert_eq!(dead, [want]);
        let alone = candidate(
            r#"(module (func (export "f") (result i32) i32.const 2 return))"#,
            vec![],
        );
        let dead: Vec<Vec<String>> = bodies_of(dead_code, &alone, 0);
        assert_eq!(dead, [["i32.const 2"]]);
        let exprs: Vec<Vec<String>> = bodies_of(expressions, &c, 0);
        let want = [
            "block ;; label = @1",
            "br 0 (;@1;)",
            "end",
            "i32.const 2",
            "return",
        ];
        assert!(exprs.iter().any(|b| *b == want), "{exprs:#?}");
    }

    #[test]
    fn catch_ref_becomes_catch_and_the_exnref_goes() {
        let c = candidate(
            r#"(module (tag $t) (func $g)
                 (func (export "f")
                   (block $h (result exnref)
                     (try_table (catch_ref $t $h) (call $g))
                     (return))
                   (drop)))"#,
            vec![],
        );
        let texts = texts(blocks, &c);
        assert!(
            texts.iter().any(|(t, _)| {
                body(t, 1)
                    == [
                        "block ;; label = @1",
                        "try_table (catch 0 0 (;@1;)) ;; label = @2",
                        "call 0",
                        "end",
                        "return",
                        "end",
                    ]
            }),
            "{:#?}",
            texts.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_result_never_used_goes_without_a_stand_in() {
        let c = candidate(
            r#"(module (tag $t)
                 (func $g (result f64) (throw $t))
                 (func (export "f") (call $g) (unreachable)))"#,
            vec![],
        );
        let all = texts(signatures, &c);
        assert!(
            all.iter().any(|(t, _)| body(t, 0) == ["throw 0"]
                && body(t, 1) == ["call 0", "unreachable"]
                && !t.contains("f64")),
            "{:#?}",
            all.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>()
        );
    }
}
