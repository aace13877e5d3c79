//! Evaluation (spec 4.4 "Instructions", 4.5.5 "Invocation") with explicit stacks and one `unwind`.
//!
//! The operand stack holds values and the locals of every frame; the control stack holds labels,
//! exception handlers and frames ([`Ctrl`]). Wasm calls and blocks never recurse on the host
//! stack. The inner loop ([`step`]) executes instructions of the current function until one
//! transfers control non-locally; every such transfer (`br`, `br_if`, `br_table`, `return`, tail
//! calls, `throw`, `throw_ref`, traps and exhaustion) is resolved by [`unwind`], whose match arms
//! each implement one reduction rule. Calls ([`enter`]) push a frame.

use super::counters::Counters;
use super::memory::Memory;
use super::numerics;
use super::store::{Code, Ctrl, ExnInst, FuncInst, Runtime, Store, Table};
use super::value::{ExnAddr, FuncAddr, Operand, Value, ill_typed};
use crate::error::{Exhaustion, Stop, Trap};
use crate::syntax::{CatchKind, IndexType, Instr, NumOp};

/// The `ret_func` of the frame of a call from the host.
const HOST: u32 = u32::MAX;

/// The evaluator's registers: the current function, its next instruction and its locals base.
#[derive(Clone, Copy, Debug)]
struct Regs {
    func: u32,
    pc: usize,
    fp: usize,
}

/// A non-local transfer of control.
#[derive(Clone, Copy, Debug)]
enum Unwind {
    /// `br l` (also `br_if`, `br_table`, and a catch clause's branch).
    Br(u32),
    /// `return`.
    Return,
    /// `return_call` / `return_call_indirect` of a resolved callee.
    TailCall(FuncAddr),
    /// An exception propagating (`throw`, `throw_ref`).
    Throw(ExnAddr),
    /// A trap.
    Trap(Trap),
    /// A budget ran out.
    Exhaust(Exhaustion),
}

/// What the inner loop hands back.
enum Next {
    Unwind(Unwind),
    Call(FuncAddr),
}

/// Whether evaluation goes on after a transfer.
enum Flow {
    Continue,
    Finished,
}

impl Store {
    /// Invokes a function (spec 4.5.5) with arguments matching its parameter types, returning
    /// its results or why it stopped.
    ///
    /// # Panics
    ///
    /// When the arguments do not match the function's parameter types (a caller's mistake).
    pub fn invoke(&mut self, func: FuncAddr, args: &[Value]) -> Result<Vec<Value>, Stop> {
        let ty = self.func_type(func);
        assert!(
            args.len() == ty.params.len()
                && args.iter().zip(ty.params.iter()).all(|(a, t)| a.has_type(*t)),
            "invoke: arguments {args:?} do not match the parameters {:?}",
            ty.params
        );
        let Store { code, rt, .. } = self;
        if let FuncInst::Host { func, .. } = &code.funcs[func.index()] {
            return Ok(func(args));
        }
        let (base_vals, base_ctrl, base_depth) = (rt.vals.len(), rt.ctrl.len(), rt.depth);
        rt.vals.extend_from_slice(args);
        match run(code, rt, func) {
            Ok(()) => Ok(rt.vals.drain(base_vals..).collect()),
            Err(stop) => {
                rt.vals.truncate(base_vals);
                rt.ctrl.truncate(base_ctrl);
                rt.depth = base_depth;
                Err(stop)
            }
        }
    }
}

/// Runs `entry`, whose arguments are on the operand stack, to completion.
fn run(code: &Code, rt: &mut Runtime, entry: FuncAddr) -> Result<(), Stop> {
    let mut regs = Regs {
        func: HOST,
        pc: 0,
        fp: 0,
    };
    let mut next = Next::Call(entry);
    loop {
        let flow = match next {
            Next::Call(f) => match enter(code, rt, &mut regs, f) {
                Ok(()) => Flow::Continue,
                Err(u) => unwind(code, rt, &mut regs, u)?,
            },
            Next::Unwind(u) => unwind(code, rt, &mut regs, u)?,
        };
        if let Flow::Finished = flow {
            return Ok(());
        }
        next = step(code, rt, &mut regs);
    }
}

/// Spec 4.4.10 "Invocation of function address a": a wasm function gets a frame (its
/// arguments, already on the stack, become its first locals, followed by the defaults of its
/// declared locals); a host function is called in place.
fn enter(code: &Code, rt: &mut Runtime, regs: &mut Regs, callee: FuncAddr) -> Result<(), Unwind> {
    match &code.funcs[callee.index()] {
        FuncInst::Wasm {
            module,
            index,
            locals,
            ..
        } => {
            let f = &module.funcs[*index as usize];
            rt.ctrl.push(Ctrl::Frame {
                ret_func: regs.func,
                ret_pc: regs.pc as u32,
                ret_fp: regs.fp as u32,
            });
            rt.depth += 1;
            if rt.depth > rt.config.max_call_depth
                || rt.vals.len() + locals.len() > rt.config.max_stack_values
            {
                return Err(Unwind::Exhaust(Exhaustion::CallStack));
            }
            charge(&mut rt.fuel, f.body.len())?;
            regs.fp = rt.vals.len() - f.params as usize;
            rt.vals.extend_from_slice(locals);
            regs.func = callee.0;
            regs.pc = 0;
            Ok(())
        }
        FuncInst::Host { ty, func } => {
            let n = code.types[ty.0 as usize].params.len();
            let args = rt.vals.split_off(rt.vals.len() - n);
            rt.vals.extend(func(&args));
            Ok(())
        }
    }
}

/// Takes `amount` fuel (at least one unit).
#[inline(always)]
fn charge(fuel: &mut u64, amount: usize) -> Result<(), Unwind> {
    let amount = (amount as u64).max(1);
    if *fuel < amount {
        *fuel = 0;
        return Err(Unwind::Exhaust(Exhaustion::Fuel));
    }
    *fuel -= amount;
    Ok(())
}

/// Resolves a non-local transfer against the control stack, one entry at a time. Each arm is
/// one rule of the spec's execution chapter (4.4.8 control instructions, 4.4.10 function calls
/// and returns, the exception-handling and tail-call proposals' additions to both).
fn unwind(
    code: &Code,
    rt: &mut Runtime,
    regs: &mut Regs,
    mut reason: Unwind,
) -> Result<Flow, Stop> {
    // Frames the current exception has unwound so far.
    let mut exn_frames = 0u64;
    loop {
        let Some(&entry) = rt.ctrl.last() else {
            panic!("reference interpreter bug: control stack empty while unwinding {reason:?}")
        };
        match (reason, entry) {
            // `br 0` (4.4.8): the innermost label is the target. Keep its arity values on top of
            // the stack below the label, drop the label, continue at its continuation (after
            // the block, or at the `loop` instruction, which re-enters the loop).
            (
                Unwind::Br(0),
                Ctrl::Label {
                    cont,
                    height,
                    arity,
                },
            ) => {
                rt.ctrl.pop();
                keep_top(&mut rt.vals, height as usize, arity as usize);
                regs.pc = cont as usize;
                return Ok(Flow::Continue);
            }
            // `br l+1` (4.4.8): exit this label, then `br l` from outside it.
            (Unwind::Br(l), Ctrl::Label { .. }) => {
                rt.ctrl.pop();
                reason = Unwind::Br(l - 1);
            }
            // Exceptions: `handler{..} E[br l]` leaves the handler; handlers are not labels, so
            // the depth does not change.
            (Unwind::Br(_), Ctrl::Handler { .. }) => {
                rt.ctrl.pop();
            }
            // 4.4.10: the body of a function is the frame's outermost label; branching to it is
            // returning.
            (Unwind::Br(0), Ctrl::Frame { .. }) => reason = Unwind::Return,
            (Unwind::Br(l), Ctrl::Frame { .. }) => {
                panic!("reference interpreter bug: branch of depth {l} past the function body")
            }
            // `return` (4.4.8) and tail calls: the labels and handlers of the current frame are
            // discarded.
            (
                Unwind::Return | Unwind::TailCall(_),
                Ctrl::Label { .. } | Ctrl::Handler { .. },
            ) => {
                rt.ctrl.pop();
            }
            // "Returning from a function" (4.4.10): the results replace the frame's locals and
            // operands; the caller resumes after its call (the host, for the entry frame).
            (
                Unwind::Return,
                Ctrl::Frame {
                    ret_func,
                    ret_pc,
                    ret_fp,
                },
            ) => {
                rt.ctrl.pop();
                rt.depth -= 1;
                let n = wasm_func(code, regs.func).results as usize;
                keep_top(&mut rt.vals, regs.fp, n);
                if ret_func == HOST {
                    return Ok(Flow::Finished);
                }
                *regs = Regs {
                    func: ret_func,
                    pc: ret_pc as usize,
                    fp: ret_fp as usize,
                };
                return Ok(Flow::Continue);
            }
            // Tail calls `return_call` (4.4.8): the callee's arguments replace the current
            // frame's locals and the callee runs in its place, returning to the same caller.
            (Unwind::TailCall(f), Ctrl::Frame { .. }) => match &code.funcs[f.index()] {
                FuncInst::Wasm {
                    module,
                    index,
                    locals,
                    ..
                } => {
                    let callee = &module.funcs[*index as usize];
                    keep_top(&mut rt.vals, regs.fp, callee.params as usize);
                    if rt.vals.len() + locals.len() > rt.config.max_stack_values {
                        reason = Unwind::Exhaust(Exhaustion::CallStack);
                        continue;
                    }
                    if let Err(u) = charge(&mut rt.fuel, callee.body.len()) {
                        reason = u;
                        continue;
                    }
                    rt.vals.extend_from_slice(locals);
                    regs.func = f.0;
                    regs.pc = 0;
                    return Ok(Flow::Continue);
                }
                // A host callee returns at once: its results are the frame's.
                FuncInst::Host { ty, func } => {
                    let n = code.types[ty.0 as usize].params.len();
                    let args = rt.vals.split_off(rt.vals.len() - n);
                    rt.vals.truncate(regs.fp);
                    rt.vals.extend(func(&args));
                    reason = Unwind::Return;
                }
            },
            // Exceptions: `label{..} E[throw_ref]` discards the label.
            (Unwind::Throw(_), Ctrl::Label { .. }) => {
                rt.ctrl.pop();
            }
            // Exceptions: `handler{catch*} E[throw_ref a]` tries the clauses in order; the first
            // that matches replaces the handler by its values and a branch to its label, which
            // is resolved from outside the handler. If none matches, the exception propagates.
            (Unwind::Throw(a), Ctrl::Handler { catches, height }) => {
                rt.ctrl.pop();
                if let Some(label) = catch(code, rt, regs.func, a, catches, height, exn_frames) {
                    reason = Unwind::Br(label);
                }
            }
            // Exceptions: `frame{..} E[throw_ref a]` unwinds the frame; out of the host's frame,
            // the exception escapes.
            (
                Unwind::Throw(a),
                Ctrl::Frame {
                    ret_func,
                    ret_pc,
                    ret_fp,
                },
            ) => {
                rt.ctrl.pop();
                rt.depth -= 1;
                exn_frames += 1;
                if rt.config.count {
                    rt.counters.frames_unwound += 1;
                }
                if ret_func == HOST {
                    if rt.config.count {
                        rt.counters.uncaught += 1;
                    }
                    return Err(Stop::Exception(a));
                }
                *regs = Regs {
                    func: ret_func,
                    pc: ret_pc as usize,
                    fp: ret_fp as usize,
                };
            }
            // Traps (4.4 "trap") are never caught: they discard every label, handler and frame
            // up to the host. Exhaustion likewise.
            (Unwind::Trap(_) | Unwind::Exhaust(_), entry) => {
                rt.ctrl.pop();
                if let Ctrl::Frame { ret_func, .. } = entry {
                    rt.depth -= 1;
                    if ret_func == HOST {
                        return Err(match reason {
                            Unwind::Trap(t) => Stop::Trap(t),
                            Unwind::Exhaust(e) => Stop::Exhaustion(e),
                            _ => unreachable!("matched trap or exhaustion"),
                        });
                    }
                }
            }
        }
    }
}

/// Tries the catch clauses of a handler against exception `a`; on a match, replaces the
/// operand stack above the handler by the clause's values and returns its label.
fn catch(
    code: &Code,
    rt: &mut Runtime,
    func: u32,
    a: ExnAddr,
    catches: u32,
    height: u32,
    exn_frames: u64,
) -> Option<u32> {
    let FuncInst::Wasm { module, index, inst, .. } = &code.funcs[func as usize] else {
        panic!("reference interpreter bug: a handler in a host function")
    };
    let clauses = &module.funcs[*index as usize].catch_tables[catches as usize];
    let tags = &code.instances[inst.index()].tags;
    let exn = &rt.exns[a.index()];
    // Tags match by identity (their address), never by signature.
    let clause = clauses.iter().find(|c| match c.kind {
        CatchKind::Catch | CatchKind::CatchRef => tags[c.tag as usize] == exn.tag,
        CatchKind::CatchAll | CatchKind::CatchAllRef => true,
    })?;
    rt.vals.truncate(height as usize);
    if let CatchKind::Catch | CatchKind::CatchRef = clause.kind {
        rt.vals.extend_from_slice(&exn.fields);
    }
    if let CatchKind::CatchRef | CatchKind::CatchAllRef = clause.kind {
        rt.vals.push(Value::ExnRef(Some(a)));
    }
    if rt.config.count {
        let c = &mut rt.counters;
        c.caught += 1;
        c.caught_by_kind[clause.kind.index()] += 1;
        if exn_frames > 0 {
            c.caught_across_frames += 1;
        }
    }
    Some(clause.label)
}

/// The code of a wasm function.
fn wasm_func(code: &Code, func: u32) -> &crate::syntax::Func {
    match &code.funcs[func as usize] {
        FuncInst::Wasm { module, index, .. } => &module.funcs[*index as usize],
        FuncInst::Host { .. } => panic!("reference interpreter bug: host function {func} has no code"),
    }
}

/// Moves the top `n` values down to `height`, dropping everything between.
#[inline]
fn keep_top(vals: &mut Vec<Value>, height: usize, n: usize) {
    let len = vals.len();
    assert!(
        height + n <= len,
        "reference interpreter bug: operand stack of {len} values cannot keep {n} above {height}"
    );
    if len - n != height {
        vals.copy_within(len - n..len, height);
        vals.truncate(height + n);
    }
}

#[cold]
#[inline(never)]
fn underflow() -> ! {
    panic!("reference interpreter bug: operand stack underflow")
}

#[inline(always)]
fn pop(vals: &mut Vec<Value>) -> Value {
    match vals.pop() {
        Some(v) => v,
        None => underflow(),
    }
}

#[inline(always)]
fn pop_as<T: Operand>(vals: &mut Vec<Value>) -> T {
    T::from_value(pop(vals))
}

#[inline(always)]
fn top(vals: &mut [Value]) -> &mut Value {
    match vals.last_mut() {
        Some(v) => v,
        None => underflow(),
    }
}

#[inline(always)]
fn un<A: Operand, R: Operand>(vals: &mut [Value], f: impl Fn(A) -> R) -> Result<(), Trap> {
    let t = top(vals);
    *t = f(A::from_value(*t)).into_value();
    Ok(())
}

#[inline(always)]
fn un_trap<A: Operand, R: Operand>(
    vals: &mut [Value],
    f: impl Fn(A) -> Result<R, numerics::NumericError>,
) -> Result<(), Trap> {
    let t = top(vals);
    *t = f(A::from_value(*t))?.into_value();
    Ok(())
}

#[inline(always)]
fn bin<A: Operand, R: Operand>(vals: &mut Vec<Value>, f: impl Fn(A, A) -> R) -> Result<(), Trap> {
    let b = pop_as::<A>(vals);
    let t = top(vals);
    *t = f(A::from_value(*t), b).into_value();
    Ok(())
}

#[inline(always)]
fn bin_trap<A: Operand, R: Operand>(
    vals: &mut Vec<Value>,
    f: impl Fn(A, A) -> Result<R, numerics::NumericError>,
) -> Result<(), Trap> {
    let b = pop_as::<A>(vals);
    let t = top(vals);
    *t = f(A::from_value(*t), b)?.into_value();
    Ok(())
}

macro_rules! define_numeric_eval {
    ($( $shape:ident $name:ident $func:ident )*) => {
        /// A numeric instruction (4.4.1): pops its operands, pushes the result of the operator's
        /// function in [`numerics`], or traps with its error.
        #[inline(always)]
        fn numeric(op: NumOp, vals: &mut Vec<Value>) -> Result<(), Trap> {
            match op {
                $( NumOp::$name => $shape(vals, numerics::$func), )*
            }
        }
    };
}
crate::for_each_numeric!(define_numeric_eval);

/// A value of a memory's or table's index type (`memory.size`, `memory.grow`, `table.size`,
/// `table.grow`); `u64::MAX` becomes -1 of that type.
#[inline(always)]
fn index_value(index: IndexType, x: u64) -> Value {
    match index {
        IndexType::I32 => Value::I32(x as u32 as i32),
        IndexType::I64 => Value::I64(x as i64),
    }
}

/// `t.load` (4.4.7): replaces the address on top of the stack by the loaded value.
#[inline(always)]
fn load<const N: usize>(
    vals: &mut [Value],
    mem: &Memory,
    counters: &mut Counters,
    count: bool,
    offset: u64,
    conv: impl Fn([u8; N]) -> Value,
) -> Result<(), Trap> {
    let t = top(vals);
    let addr = t.as_address();
    if count {
        let ea = u128::from(addr) + u128::from(offset);
        counters.access(mem.is64(), ea, N as u64, mem.size_bytes());
    }
    *t = conv(mem.load::<N>(addr, offset)?);
    Ok(())
}

/// `t.store` (4.4.7): pops a value and an address and stores, or traps having written nothing.
#[inline(always)]
fn store<const N: usize, T: Operand>(
    vals: &mut Vec<Value>,
    mem: &mut Memory,
    counters: &mut Counters,
    count: bool,
    offset: u64,
    conv: impl Fn(T) -> [u8; N],
) -> Result<(), Trap> {
    let v = pop_as::<T>(vals);
    let addr = pop(vals).as_address();
    if count {
        let ea = u128::from(addr) + u128::from(offset);
        counters.access(mem.is64(), ea, N as u64, mem.size_bytes());
    }
    mem.store::<N>(addr, offset, conv(v))
}

/// Counts one bulk-operation range.
#[inline(always)]
fn count_range(counters: &mut Counters, count: bool, mem: &Memory, start: u64, len: u64) {
    if count {
        counters.access(mem.is64(), u128::from(start), len, mem.size_bytes());
    }
}

/// A mutable and a shared reference to two distinct elements.
fn two<T>(v: &mut [T], a: usize, b: usize) -> (&mut T, &T) {
    assert_ne!(a, b, "two() of one element");
    if a < b {
        let (l, r) = v.split_at_mut(b);
        (&mut l[a], &r[0])
    } else {
        let (l, r) = v.split_at_mut(a);
        (&mut r[0], &l[b])
    }
}

/// An element index into a table of `len` elements, `None` when out of bounds.
#[inline(always)]
fn slot(i: u64, len: usize) -> Option<usize> {
    usize::try_from(i).ok().filter(|&i| i < len)
}

/// Whether `[start, start + n)` fits in `len`.
#[inline(always)]
fn fits(start: u64, n: u64, len: usize) -> bool {
    u128::from(start) + u128::from(n) <= len as u128
}

/// `call_indirect` (4.4.8): the callee at the popped index of a table, checked for presence
/// ("undefined element"), non-null ("uninitialized element") and type.
fn indirect(
    code: &Code,
    tables: &[Table],
    table: super::value::TableAddr,
    expected: super::store::TypeId,
    vals: &mut Vec<Value>,
) -> Result<FuncAddr, Trap> {
    let i = pop(vals).as_address();
    let t = &tables[table.index()];
    let elem = slot(i, t.elems.len()).ok_or(Trap::UndefinedElement)?;
    let f = match t.elems[elem] {
        Value::FuncRef(f) => f.ok_or(Trap::UninitializedElement)?,
        other => ill_typed("funcref", other),
    };
    if code.funcs[f.index()].ty() != expected {
        return Err(Trap::IndirectCallTypeMismatch);
    }
    Ok(f)
}

#[inline(always)]
fn trap(t: Trap) -> Next {
    Next::Unwind(Unwind::Trap(t))
}

/// Executes instructions of the current function until control leaves the current
/// instruction sequence non-locally or a function is called.
fn step(code: &Code, rt: &mut Runtime, regs: &mut Regs) -> Next {
    let FuncInst::Wasm {
        module,
        index,
        inst,
        ..
    } = &code.funcs[regs.func as usize]
    else {
        panic!("reference interpreter bug: stepping a host function")
    };
    let func = &module.funcs[*index as usize];
    let inst = &code.instances[inst.index()];
    let body: &[Instr] = &func.body;
    let fp = regs.fp;
    let mut pc = regs.pc;
    let Runtime {
        config,
        tables,
        mems,
        globals,
        tags,
        elems,
        datas,
        exns,
        counters,
        fuel,
        vals,
        ctrl,
        ..
    } = rt;
    let count = config.count;
    macro_rules! tr {
        ($e:expr) => {
            if let Err(t) = $e {
                break trap(t);
            }
        };
    }
    macro_rules! mem {
        ($m:expr) => {
            &mems[inst.mems[$m as usize].index()]
        };
    }
    macro_rules! mem_mut {
        ($m:expr) => {
            &mut mems[inst.mems[$m as usize].index()]
        };
    }
    let next = loop {
        let instr = body[pc];
        pc += 1;
        match instr {
            Instr::Unreachable => break trap(Trap::Unreachable),
            Instr::Nop => {}
            Instr::Block { ty, len } => ctrl.push(Ctrl::Label {
                cont: (pc + len as usize) as u32,
                height: (vals.len() - ty.params as usize) as u32,
                arity: u32::from(ty.results),
            }),
            Instr::Loop { ty, len } => {
                if let Err(u) = charge(fuel, len as usize) {
                    break Next::Unwind(u);
                }
                ctrl.push(Ctrl::Label {
                    cont: (pc - 1) as u32,
                    height: (vals.len() - ty.params as usize) as u32,
                    arity: u32::from(ty.params),
                })
            }
            Instr::If { ty, then_len, len } => {
                let c = pop_as::<i32>(vals);
                if c == 0 && then_len == len {
                    // No else-branch: `block bt end`, nothing to run.
                    pc += len as usize;
                } else {
                    ctrl.push(Ctrl::Label {
                        cont: (pc + len as usize) as u32,
                        height: (vals.len() - ty.params as usize) as u32,
                        arity: u32::from(ty.results),
                    });
                    if c == 0 {
                        pc += then_len as usize;
                    }
                }
            }
            Instr::Else => match ctrl.pop() {
                Some(Ctrl::Label { cont, .. }) => pc = cont as usize,
                other => panic!("reference interpreter bug: else without its label: {other:?}"),
            },
            Instr::End => match ctrl.pop() {
                Some(Ctrl::Label { .. }) => {}
                other => panic!("reference interpreter bug: end without its label: {other:?}"),
            },
            Instr::TryTable { ty, catches, len } => {
                let height = (vals.len() - ty.params as usize) as u32;
                ctrl.push(Ctrl::Handler { catches, height });
                ctrl.push(Ctrl::Label {
                    cont: (pc + len as usize) as u32,
                    height,
                    arity: u32::from(ty.results),
                });
            }
            Instr::EndTryTable => match (ctrl.pop(), ctrl.pop()) {
                (Some(Ctrl::Label { .. }), Some(Ctrl::Handler { .. })) => {}
                other => panic!(
                    "reference interpreter bug: try_table end without its label and handler: {other:?}"
                ),
            },
            Instr::Br(l) => break Next::Unwind(Unwind::Br(l)),
            Instr::BrIf(l) => {
                if pop_as::<i32>(vals) != 0 {
                    break Next::Unwind(Unwind::Br(l));
                }
            }
            Instr::BrTable(t) => {
                let i = pop_as::<i32>(vals) as u32 as usize;
                let labels = &func.br_tables[t as usize];
                break Next::Unwind(Unwind::Br(labels[i.min(labels.len() - 1)]));
            }
            Instr::Return => break Next::Unwind(Unwind::Return),
            Instr::Call(x) => break Next::Call(inst.funcs[x as usize]),
            Instr::CallIndirect { ty, table } => {
                let table = inst.tables[table as usize];
                match indirect(code, tables, table, inst.types[ty as usize], vals) {
                    Ok(f) => break Next::Call(f),
                    Err(t) => break trap(t),
                }
            }
            Instr::ReturnCall(x) => break Next::Unwind(Unwind::TailCall(inst.funcs[x as usize])),
            Instr::ReturnCallIndirect { ty, table } => {
                let table = inst.tables[table as usize];
                match indirect(code, tables, table, inst.types[ty as usize], vals) {
                    Ok(f) => break Next::Unwind(Unwind::TailCall(f)),
                    Err(t) => break trap(t),
                }
            }
            Instr::Throw(x) => {
                // Exceptions: `throw x` allocates an exception of the tag's instance with the
                // payload, then behaves as `throw_ref` of it.
                let tag = inst.tags[x as usize];
                let n = code.types[tags[tag.index()].ty.0 as usize].params.len();
                let fields: Box<[Value]> = vals.drain(vals.len() - n..).collect();
                let a = ExnAddr(exns.len() as u32);
                exns.push(ExnInst { tag, fields });
                if count {
                    counters.thrown += 1;
                }
                break Next::Unwind(Unwind::Throw(a));
            }
            Instr::ThrowRef => {
                if count {
                    counters.throw_refs += 1;
                }
                match pop(vals) {
                    Value::ExnRef(None) => break trap(Trap::NullExceptionReference),
                    Value::ExnRef(Some(a)) => {
                        if count {
                            counters.thrown += 1;
                        }
                        break Next::Unwind(Unwind::Throw(a));
                    }
                    other => ill_typed("exnref", other),
                }
            }
            Instr::Drop => {
                pop(vals);
            }
            Instr::Select => {
                let c = pop_as::<i32>(vals);
                let b = pop(vals);
                if c == 0 {
                    *top(vals) = b;
                }
            }
            Instr::LocalGet(x) => {
                let v = vals[fp + x as usize];
                vals.push(v);
            }
            Instr::LocalSet(x) => {
                let v = pop(vals);
                vals[fp + x as usize] = v;
            }
            Instr::LocalTee(x) => {
                let v = *top(vals);
                vals[fp + x as usize] = v;
            }
            Instr::GlobalGet(x) => vals.push(globals[inst.globals[x as usize].index()].value),
            Instr::GlobalSet(x) => {
                let v = pop(vals);
                globals[inst.globals[x as usize].index()].value = v;
            }
            Instr::TableGet(x) => {
                let t = &tables[inst.tables[x as usize].index()];
                let s = top(vals);
                match slot(s.as_address(), t.elems.len()) {
                    Some(i) => *s = t.elems[i],
                    None => break trap(Trap::TableOutOfBounds),
                }
            }
            Instr::TableSet(x) => {
                let v = pop(vals);
                let i = pop(vals).as_address();
                let t = &mut tables[inst.tables[x as usize].index()];
                match slot(i, t.elems.len()) {
                    Some(i) => t.elems[i] = v,
                    None => break trap(Trap::TableOutOfBounds),
                }
            }
            Instr::TableSize(x) => {
                let t = &tables[inst.tables[x as usize].index()];
                vals.push(index_value(t.ty.index, t.elems.len() as u64));
            }
            Instr::TableGrow(x) => {
                let n = pop(vals).as_address();
                let init = pop(vals);
                let t = &mut tables[inst.tables[x as usize].index()];
                let old = t.grow(n, init, config.max_table_elements);
                vals.push(index_value(t.ty.index, old.unwrap_or(u64::MAX)));
            }
            Instr::TableFill(x) => {
                let n = pop(vals).as_address();
                let v = pop(vals);
                let i = pop(vals).as_address();
                let t = &mut tables[inst.tables[x as usize].index()];
                if !fits(i, n, t.elems.len()) {
                    break trap(Trap::TableOutOfBounds);
                }
                t.elems[i as usize..(i + n) as usize].fill(v);
            }
            Instr::TableCopy { dst, src } => {
                let n = pop(vals).as_address();
                let s = pop(vals).as_address();
                let d = pop(vals).as_address();
                let (dst, src) = (
                    inst.tables[dst as usize].index(),
                    inst.tables[src as usize].index(),
                );
                if !fits(s, n, tables[src].elems.len()) || !fits(d, n, tables[dst].elems.len()) {
                    break trap(Trap::TableOutOfBounds);
                }
                let (s, d, n) = (s as usize, d as usize, n as usize);
                if dst == src {
                    tables[dst].elems.copy_within(s..s + n, d);
                } else {
                    let (dt, st) = two(tables, dst, src);
                    dt.elems[d..d + n].copy_from_slice(&st.elems[s..s + n]);
                }
            }
            Instr::TableInit { elem, table } => {
                let n = pop(vals).as_address();
                let s = pop(vals).as_address();
                let d = pop(vals).as_address();
                let seg = &elems[inst.elems[elem as usize].index()];
                let t = &mut tables[inst.tables[table as usize].index()];
                if !fits(s, n, seg.len()) || !fits(d, n, t.elems.len()) {
                    break trap(Trap::TableOutOfBounds);
                }
                let (s, d, n) = (s as usize, d as usize, n as usize);
                t.elems[d..d + n].copy_from_slice(&seg[s..s + n]);
            }
            Instr::ElemDrop(x) => elems[inst.elems[x as usize].index()] = Box::default(),
            Instr::I32Load(m) => tr!(load::<4>(vals, mem!(m.mem), counters, count, m.offset, |b| {
                Value::I32(i32::from_le_bytes(b))
            })),
            Instr::I64Load(m) => tr!(load::<8>(vals, mem!(m.mem), counters, count, m.offset, |b| {
                Value::I64(i64::from_le_bytes(b))
            })),
            Instr::F32Load(m) => tr!(load::<4>(vals, mem!(m.mem), counters, count, m.offset, |b| {
                Value::F32(u32::from_le_bytes(b))
            })),
            Instr::F64Load(m) => tr!(load::<8>(vals, mem!(m.mem), counters, count, m.offset, |b| {
                Value::F64(u64::from_le_bytes(b))
            })),
            Instr::I32Load8S(m) => tr!(load::<1>(vals, mem!(m.mem), counters, count, m.offset, |b| {
                Value::I32(i32::from(b[0] as i8))
            })),
            Instr::I32Load8U(m) => tr!(load::<1>(vals, mem!(m.mem), counters, count, m.offset, |b| {
                Value::I32(i32::from(b[0]))
            })),
            Instr::I32Load16S(m) => tr!(load::<2>(vals, mem!(m.mem), counters, count, m.offset, |b| {
                Value::I32(i32::from(i16::from_le_bytes(b)))
            })),
            Instr::I32Load16U(m) => tr!(load::<2>(vals, mem!(m.mem), counters, count, m.offset, |b| {
                Value::I32(i32::from(u16::from_le_bytes(b)))
            })),
            Instr::I64Load8S(m) => tr!(load::<1>(vals, mem!(m.mem), counters, count, m.offset, |b| {
                Value::I64(i64::from(b[0] as i8))
            })),
            Instr::I64Load8U(m) => tr!(load::<1>(vals, mem!(m.mem), counters, count, m.offset, |b| {
                Value::I64(i64::from(b[0]))
            })),
            Instr::I64Load16S(m) => tr!(load::<2>(vals, mem!(m.mem), counters, count, m.offset, |b| {
                Value::I64(i64::from(i16::from_le_bytes(b)))
            })),
            Instr::I64Load16U(m) => tr!(load::<2>(vals, mem!(m.mem), counters, count, m.offset, |b| {
                Value::I64(i64::from(u16::from_le_bytes(b)))
            })),
            Instr::I64Load32S(m) => tr!(load::<4>(vals, mem!(m.mem), counters, count, m.offset, |b| {
                Value::I64(i64::from(i32::from_le_bytes(b)))
            })),
            Instr::I64Load32U(m) => tr!(load::<4>(vals, mem!(m.mem), counters, count, m.offset, |b| {
                Value::I64(i64::from(u32::from_le_bytes(b)))
            })),
            Instr::I32Store(m) => tr!(store(vals, mem_mut!(m.mem), counters, count, m.offset, |v: i32| {
                v.to_le_bytes()
            })),
            Instr::I64Store(m) => tr!(store(vals, mem_mut!(m.mem), counters, count, m.offset, |v: i64| {
                v.to_le_bytes()
            })),
            Instr::F32Store(m) => tr!(store(vals, mem_mut!(m.mem), counters, count, m.offset, |v: u32| {
                v.to_le_bytes()
            })),
            Instr::F64Store(m) => tr!(store(vals, mem_mut!(m.mem), counters, count, m.offset, |v: u64| {
                v.to_le_bytes()
            })),
            Instr::I32Store8(m) => tr!(store(vals, mem_mut!(m.mem), counters, count, m.offset, |v: i32| {
                [v as u8]
            })),
            Instr::I32Store16(m) => tr!(store(vals, mem_mut!(m.mem), counters, count, m.offset, |v: i32| {
                (v as u16).to_le_bytes()
            })),
            Instr::I64Store8(m) => tr!(store(vals, mem_mut!(m.mem), counters, count, m.offset, |v: i64| {
                [v as u8]
            })),
            Instr::I64Store16(m) => tr!(store(vals, mem_mut!(m.mem), counters, count, m.offset, |v: i64| {
                (v as u16).to_le_bytes()
            })),
            Instr::I64Store32(m) => tr!(store(vals, mem_mut!(m.mem), counters, count, m.offset, |v: i64| {
                (v as u32).to_le_bytes()
            })),
            Instr::MemorySize(m) => {
                let mem = mem!(m);
                vals.push(index_value(mem.ty().index, mem.size_pages()));
            }
            Instr::MemoryGrow(m) => {
                let delta = pop(vals).as_address();
                let mem = mem_mut!(m);
                let old = mem.grow(delta, config.max_memory_bytes);
                if count {
                    if mem.is64() {
                        counters.grow64 += 1;
                    } else {
                        counters.grow32 += 1;
                    }
                    if old.is_none() {
                        counters.grow_failures += 1;
                    }
                }
                vals.push(index_value(mem.ty().index, old.unwrap_or(u64::MAX)));
            }
            Instr::MemoryFill(m) => {
                let n = pop(vals).as_address();
                let v = pop_as::<i32>(vals);
                let d = pop(vals).as_address();
                let mem = mem_mut!(m);
                count_range(counters, count, mem, d, n);
                tr!(mem.fill(d, v as u8, n));
            }
            Instr::MemoryCopy { dst, src } => {
                let n = pop(vals).as_address();
                let s = pop(vals).as_address();
                let d = pop(vals).as_address();
                let (dst, src) = (
                    inst.mems[dst as usize].index(),
                    inst.mems[src as usize].index(),
                );
                count_range(counters, count, &mems[src], s, n);
                count_range(counters, count, &mems[dst], d, n);
                if dst == src {
                    tr!(mems[dst].copy_within(d, s, n));
                } else {
                    let (dm, sm) = two(mems, dst, src);
                    tr!(Memory::copy_between(dm, d, sm, s, n));
                }
            }
            Instr::MemoryInit { data, mem } => {
                let n = pop(vals).as_address();
                let s = pop(vals).as_address();
                let d = pop(vals).as_address();
                let bytes = &datas[inst.datas[data as usize].index()];
                let mem = mem_mut!(mem);
                count_range(counters, count, mem, d, n);
                if !fits(s, n, bytes.len()) {
                    break trap(Trap::MemoryOutOfBounds);
                }
                tr!(mem.write(d, &bytes[s as usize..(s + n) as usize]));
            }
            Instr::DataDrop(x) => datas[inst.datas[x as usize].index()] = std::sync::Arc::from([]),
            Instr::RefNull(t) => vals.push(Value::null(t)),
            Instr::RefIsNull => {
                let t = top(vals);
                *t = Value::I32(i32::from(t.is_null()));
            }
            Instr::RefFunc(x) => vals.push(Value::FuncRef(Some(inst.funcs[x as usize]))),
            Instr::I32Const(x) => vals.push(Value::I32(x)),
            Instr::I64Const(x) => vals.push(Value::I64(x)),
            Instr::F32Const(x) => vals.push(Value::F32(x)),
            Instr::F64Const(x) => vals.push(Value::F64(x)),
            Instr::Num(op) => tr!(numeric(op, vals)),
        }
    };
    regs.pc = pc;
    next
}
