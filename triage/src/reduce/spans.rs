//! Expression spans and dataflow trees of a function body: for every instruction, the contiguous range of instructions that computes its operands and itself, and the (possibly scattered) instructions whose values flow into it — found by running wasmparser's function validator alongside shadow stacks.

use super::ir::{Ir, block_type};
use wasmparser::{
    BlockType, FuncValidatorAllocations, Operator, Parser, ValType, ValidPayload, Validator,
    WasmFeatures,
};

/// The instructions `start..=end` compute `pushes` values (the last instruction is `end`).
#[derive(Clone, Debug)]
pub struct Span {
    /// The first instruction.
    pub start: usize,
    /// The last instruction (the one whose result this is).
    pub end: usize,
    /// How many values the span leaves on the stack.
    pub pushes: u32,
    /// The type of its value, when it leaves exactly one.
    pub result: Option<ValType>,
    /// Its operands' spans and types (for plain instructions).
    pub operands: Vec<(usize, usize, Option<ValType>)>,
}

/// A block construct: where it opens, its `else` (for `if`) and its `end`.
#[derive(Clone, Debug)]
pub struct Construct {
    /// The opening instruction.
    pub open: usize,
    /// The `else`, if any.
    pub else_at: Option<usize>,
    /// The `end`.
    pub end: usize,
}

/// The instructions whose values flow into one instruction (the root), however far apart
/// they are: a value's producer is in the tree when it is a plain instruction (or a whole
/// construct without parameters and with one result) whose own operands are in the tree;
/// values from anywhere else (block parameters, multi-value results, unreachable code) are
/// holes. Deleting the tree's instructions and putting a `drop` per hole where the root was
/// leaves every other value where it was: in a stack machine, the holes' values are exactly
/// what is left on top at the root.
#[derive(Clone, Debug, PartialEq)]
pub struct Tree {
    /// The instruction whose operands these are.
    pub root: usize,
    /// Every instruction of the tree, the root included, in ascending order.
    pub ops: Vec<usize>,
    /// Values consumed from outside the tree.
    pub holes: u32,
    /// How many values the root pushes.
    pub pushes: u32,
    /// The type of its value, when it pushes exactly one.
    pub result: Option<ValType>,
    /// Each operand's instructions and holes, `None` for an operand that is itself a hole.
    pub operands: Vec<Option<(Vec<usize>, u32)>>,
    /// Where each operand was pushed: the instruction (a construct's `end` for its results)
    /// and which of its values it is; `None` for a block parameter or unreachable code.
    pub origins: Vec<Option<(usize, u32)>>,
    /// Each operand's type, where known.
    pub types: Vec<Option<ValType>>,
}

impl Tree {
    /// Whether the tree is one contiguous range of instructions.
    pub fn contiguous(&self) -> bool {
        self.ops
            .first()
            .is_none_or(|first| first + self.ops.len() == self.root + 1)
    }
}

/// Every span, dataflow tree and construct of one function body.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// Spans, one per instruction that has a known extent.
    pub spans: Vec<Span>,
    /// Dataflow trees, one per plain instruction (and per `if`, of its condition).
    pub trees: Vec<Tree>,
    /// Block constructs.
    pub constructs: Vec<Construct>,
}

/// A value on the trees' shadow stack: the instructions that made it and the holes among
/// their operands, `None` for a value of unknown making (a hole to whoever consumes it).
type Made = Option<(Vec<usize>, u32)>;

/// Whether control never goes on after `op`.
pub fn ends_flow(op: &Operator) -> bool {
    matches!(
        op,
        Operator::Br { .. }
            | Operator::BrTable { .. }
            | Operator::Return
            | Operator::Unreachable
            | Operator::Throw { .. }
            | Operator::ThrowRef
            | Operator::ReturnCall { .. }
            | Operator::ReturnCallIndirect { .. }
            | Operator::ReturnCallRef { .. }
    )
}

/// The tree made of `operands` and `root`.
fn merge(operands: &[Made], root: usize) -> (Vec<usize>, u32) {
    let mut ops = Vec::new();
    let mut holes = 0;
    for m in operands {
        match m {
            Some((o, h)) => {
                ops.extend(o);
                holes += h;
            }
            None => holes += 1,
        }
    }
    ops.push(root);
    ops.sort_unstable();
    (ops, holes)
}

struct Frame {
    open: usize,
    base: usize,
    start: Option<usize>,
    else_at: Option<usize>,
    params: u32,
    /// For a construct without parameters, what makes its value: the condition of an `if`
    /// (nothing for other constructs).
    made: Made,
}

/// Analyses every defined function of `wasm` (whose decoded form is `ir`).
pub fn analyse(wasm: &[u8], ir: &Ir) -> Vec<Analysis> {
    let mut validator = Validator::new_with_features(WasmFeatures::all());
    let mut funcs = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let Ok(payload) = payload else {
            return Vec::new();
        };
        match validator.payload(&payload) {
            Ok(ValidPayload::Func(f, _)) => funcs.push(f),
            Ok(_) => {}
            Err(_) => return Vec::new(),
        }
    }
    funcs
        .into_iter()
        .zip(&ir.code)
        .map(|(f, body)| {
            let mut v = f.into_validator(FuncValidatorAllocations::default());
            let mut out = Analysis::default();
            for (i, ty) in body.locals.iter().enumerate() {
                if v.define_locals(i as u64, 1, *ty).is_err() {
                    return out;
                }
            }
            let results =
                |bt: BlockType| -> u32 { ir.block_results(bt).map_or(0, |r| r.len() as u32) };
            let mut stack: Vec<Option<usize>> = Vec::new();
            let mut made: Vec<Made> = Vec::new();
            let mut origin: Vec<Option<(usize, u32)>> = Vec::new();
            let mut frames: Vec<Frame> = Vec::new();
            for (i, op) in body.ops.iter().enumerate() {
                let Some((pops, pushes)) = op.operator_arity(&v) else {
                    return out;
                };
                let operand_types: Vec<Option<ValType>> = (0..pops as usize)
                    .rev()
                    .map(|d| v.get_operand_type(d).flatten())
                    .collect();
                // Offsets only label errors; wasmparser asserts that a function's final `end` is
                // not at offset 0 (an empty body), so they start at 1.
                if v.op(i as u64 + 1, op).is_err() {
                    return out;
                }
                let base = frames.last().map_or(0, |f| f.base);
                let available = stack.len().saturating_sub(base);
                fn take<T>(stack: &mut Vec<Option<T>>, n: usize, base: usize) -> Vec<Option<T>> {
                    let keep = stack.len().saturating_sub(n).max(base);
                    let mut taken = stack.split_off(keep);
                    while taken.len() < n {
                        taken.insert(0, None);
                    }
                    taken
                }
                match op {
                    Operator::Block { .. } | Operator::Loop { .. } | Operator::TryTable { .. } => {
                        let p = pops as usize;
                        let start = if p == 0 {
                            Some(i)
                        } else if available >= p {
                            stack[stack.len() - p]
                        } else {
                            None
                        };
                        // Parameters come from outside the construct: holes inside it.
                        let from = made.len().saturating_sub(p).max(base);
                        for m in &mut made[from..] {
                            *m = None;
                        }
                        let from = origin.len().saturating_sub(p).max(base);
                        for o in &mut origin[from..] {
                            *o = None;
                        }
                        frames.push(Frame {
                            open: i,
                            base: stack.len().saturating_sub(p).max(base),
                            start,
                            else_at: None,
                            params: pops,
                            made: (p == 0).then(|| (Vec::new(), 0)),
                        });
                    }
                    Operator::If { .. } => {
                        let p = pops as usize;
                        let start = if available >= p {
                            stack[stack.len() - p]
                        } else {
                            None
                        };
                        let taken = take(&mut stack, p, base);
                        let new_base = stack.len();
                        stack.extend(taken.into_iter().skip(1).map(|_| None));
                        let mut operands = take(&mut made, p, base);
                        let condition = operands.pop().flatten();
                        let cond_origin = take(&mut origin, p, base).pop().flatten();
                        origin.extend((1..p).map(|_| None));
                        let (ops, holes) = merge(std::slice::from_ref(&condition), i);
                        out.trees.push(Tree {
                            root: i,
                            ops,
                            holes,
                            pushes: 0,
                            result: None,
                            operands: vec![condition.clone()],
                            origins: vec![cond_origin],
                            types: vec![Some(ValType::I32)],
                        });
                        made.extend(operands.into_iter().map(|_| None));
                        frames.push(Frame {
                            open: i,
                            base: new_base,
                            start,
                            else_at: None,
                            params: pops - 1,
                            made: if p == 1 {
                                Some(condition.unwrap_or((Vec::new(), 1)))
                            } else {
                                None
                            },
                        });
                    }
                    Operator::Else => {
                        if let Some(f) = frames.last_mut() {
                            f.else_at = Some(i);
                            stack.truncate(f.base);
                            stack.extend((0..f.params).map(|_| None));
                            made.truncate(f.base);
                            made.extend((0..f.params).map(|_| None));
                            origin.truncate(f.base);
                            origin.extend((0..f.params).map(|_| None));
                        }
                    }
                    Operator::End => {
                        let Some(f) = frames.pop() else { continue };
                        stack.truncate(f.base);
                        let r = block_type(&body.ops[f.open]).map_or(0, results);
                        if let Some(start) = f.start {
                            out.spans.push(Span {
                                start,
                                end: i,
                                pushes: r,
                                result: if r == 1 {
                                    v.get_operand_type(0).flatten()
                                } else {
                                    None
                                },
                                operands: Vec::new(),
                            });
                        }
                        out.constructs.push(Construct {
                            open: f.open,
                            else_at: f.else_at,
                            end: i,
                        });
                        stack.extend((0..r).map(|_| f.start));
                        made.truncate(f.base);
                        origin.truncate(f.base);
                        origin.extend((0..r).map(|k| Some((i, k))));
                        match (r, f.made) {
                            (1, Some((mut ops, holes))) => {
                                ops.extend(f.open..=i);
                                ops.sort_unstable();
                                made.push(Some((ops, holes)));
                            }
                            _ => made.extend((0..r).map(|_| None)),
                        }
                    }
                    _ => {
                        let p = pops as usize;
                        let known = available >= p;
                        let taken = take(&mut stack, p, base);
                        let operands = take(&mut made, p, base);
                        let origins = take(&mut origin, p, base);
                        let (tree, holes) = merge(&operands, i);
                        let result = if pushes == 1 {
                            v.get_operand_type(0).flatten()
                        } else {
                            None
                        };
                        out.trees.push(Tree {
                            root: i,
                            ops: tree.clone(),
                            holes,
                            pushes,
                            result,
                            operands,
                            origins,
                            types: operand_types.clone(),
                        });
                        let start = if p == 0 {
                            Some(i)
                        } else if known {
                            taken[0]
                        } else {
                            None
                        };
                        if let Some(s) = start
                            && taken.iter().all(Option::is_some)
                        {
                            let starts: Vec<usize> = taken.iter().flatten().copied().collect();
                            let operands = starts
                                .iter()
                                .enumerate()
                                .map(|(k, &os)| {
                                    let oe = starts.get(k + 1).map_or(i - 1, |n| n - 1);
                                    (os, oe, operand_types[k])
                                })
                                .collect();
                            out.spans.push(Span {
                                start: s,
                                end: i,
                                pushes,
                                result,
                                operands,
                            });
                        }
                        if ends_flow(op) {
                            stack.truncate(base);
                            made.truncate(base);
                            origin.truncate(base);
                        } else {
                            stack.extend((0..pushes).map(|_| start));
                            origin.extend((0..pushes).map(|k| Some((i, k))));
                            if pushes == 1 {
                                made.push(Some((tree, holes)));
                            } else {
                                made.extend((0..pushes).map(|_| None));
                            }
                        }
                    }
                }
            }
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_body_is_analysed() {
        // Its only operator, the final `end`, is the first: wasmparser asserts that a
        // function's final `end` has a non-zero offset.
        let wasm = wat::parse_str("(module (func) (func (result i32) (i32.const 1)))").unwrap();
        let ir = Ir::parse(&wasm).unwrap();
        let a = analyse(&wasm, &ir);
        assert_eq!(a.len(), 2);
        assert!(a[0].spans.is_empty());
        assert!(!a[1].spans.is_empty());
    }

    #[test]
    fn spans_cover_operand_trees() {
        let wasm = wat::parse_str(
            r#"(module (func (param i64 i64) (result i64)
                 (i64.rem_u (i64.add (local.get 0) (i64.const 1)) (local.get 1))
                 (block (drop (i32.const 3)))
               ))"#,
        )
        .unwrap();
        let ir = Ir::parse(&wasm).unwrap();
        let a = &analyse(&wasm, &ir)[0];
        // ops: 0 local.get 0, 1 i64.const, 2 i64.add, 3 local.get 1, 4 rem_u, 5 block,
        //      6 i32.const, 7 drop, 8 end, 9 end
        let rem = a.spans.iter().find(|s| s.end == 4).unwrap();
        assert_eq!((rem.start, rem.pushes), (0, 1));
        assert_eq!(rem.result, Some(ValType::I64));
        assert_eq!(rem.operands.len(), 2);
        assert_eq!((rem.operands[0].0, rem.operands[0].1), (0, 2));
        assert_eq!((rem.operands[1].0, rem.operands[1].1), (3, 3));
        let block = a.spans.iter().find(|s| s.end == 8).unwrap();
        assert_eq!((block.start, block.pushes), (5, 0));
        let drop = a.spans.iter().find(|s| s.end == 7).unwrap();
        assert_eq!(drop.start, 6);
        assert_eq!(a.constructs.len(), 1);
    }
}
