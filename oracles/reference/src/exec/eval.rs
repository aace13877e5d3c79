//! Evaluation (spec 4.4 "Instructions", 4.5.5 "Invocation") with explicit stacks and one `unwind`.
//!
//! The operand stack holds values and the locals of every frame; the control stack holds labels,
//! exception handlers and frames ([`Ctrl`]). Wasm calls and blocks never recurse on the host
//! stack. [`execute`] runs instructions of the current function until one transfers control
//! non-locally; every such transfer (`br`, `br_if`, `br_table`, `return`, tail calls, `throw`,
//! `throw_ref`, traps and exhaustion) is resolved by [`unwind`], whose match arms each implement
//! one reduction rule. Calls ([`enter`]) push a frame.
//!
//! The operand stack is a buffer that grows only when a function is entered, by what the
//! function can need (its locals and its maximum operand height, known from validation), so the
//! instructions themselves push and pop without allocating.

use super::counters::Counters;
use super::memory::Memory;
use super::numerics;
use super::store::{Code, Ctrl, ExnInst, FuncInst, ModuleInst, Runtime, Store, Table};
use super::value::{ExnAddr, FuncAddr, Operand, Value, ill_typed};
use crate::error::{Exhaustion, Stop, Trap};
use crate::syntax::{CatchKind, Func, IndexType, Instr};

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

/// What leaves the instruction loop.
enum Transfer {
    Unwind(Unwind),
    Call(FuncAddr),
    /// A transfer already resolved by [`unwind`] that leaves the current function.
    Resolved(Result<Flow, Stop>),
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
                && args
                    .iter()
                    .zip(ty.params.iter())
                    .all(|(a, t)| a.has_type(*t)),
            "invoke: arguments {args:?} do not match the parameters {:?}",
            ty.params
        );
        let Store { code, rt, .. } = self;
        if let FuncInst::Host { func, .. } = &code.funcs[func.index()] {
            return Ok(func(args));
        }
        let (base, base_ctrl, base_depth) = (rt.sp, rt.ctrl.len(), rt.depth);
        reserve(&mut rt.stack, base + args.len());
        rt.stack[base..base + args.len()].copy_from_slice(args);
        rt.sp = base + args.len();
        let outcome = match run(code, rt, func) {
            Ok(()) => {
                let results = rt.stack[base..rt.sp].to_vec();
                rt.sp = base;
                Ok(results)
            }
            Err(stop) => {
                rt.sp = base;
                rt.ctrl.truncate(base_ctrl);
                rt.depth = base_depth;
                Err(stop)
            }
        };
        match &outcome {
            Ok(results) => rt.collect_exns(results),
            Err(Stop::Exception(a)) => rt.collect_exns(&[Value::ExnRef(Some(*a))]),
            Err(_) => rt.collect_exns(&[]),
        }
        outcome
    }
}

/// Grows the operand stack's buffer to at least `needed` values.
fn reserve(stack: &mut Vec<Value>, needed: usize) {
    if needed > stack.len() {
        let len = needed.max(stack.len() * 2);
        stack.resize(len, Value::I32(0));
    }
}

/// Runs `entry`, whose arguments are on the operand stack, to completion.
fn run(code: &Code, rt: &mut Runtime, entry: FuncAddr) -> Result<(), Stop> {
    let mut regs = Regs {
        func: HOST,
        pc: 0,
        fp: 0,
    };
    if let Err(u) = enter(code, rt, &mut regs, entry)
        && let Flow::Finished = unwind(code, rt, &mut regs, u)?
    {
        return Ok(());
    }
    execute(code, rt, regs)
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
            let need = rt.sp + locals.len() + f.max_stack as usize;
            if rt.depth > rt.config.max_call_depth || need > rt.config.max_stack_values {
                return Err(Unwind::Exhaust(Exhaustion::CallStack));
            }
            charge(&mut rt.fuel, f.body.len())?;
            reserve(&mut rt.stack, need);
            regs.fp = rt.sp - f.params as usize;
            rt.stack[rt.sp..rt.sp + locals.len()].copy_from_slice(locals);
            rt.sp += locals.len();
            regs.func = callee.0;
            regs.pc = 0;
            Ok(())
        }
        FuncInst::Host { ty, func } => {
            let n = code.types[ty.0 as usize].params.len();
            call_host(rt, func, n);
            Ok(())
        }
    }
}

/// Calls a host function with the top `n` values, replacing them by its results.
fn call_host(rt: &mut Runtime, func: &super::store::HostFunc, n: usize) {
    let args = rt.stack[rt.sp - n..rt.sp].to_vec();
    rt.sp -= n;
    let results = func(&args);
    reserve(&mut rt.stack, rt.sp + results.len());
    rt.stack[rt.sp..rt.sp + results.len()].copy_from_slice(&results);
    rt.sp += results.len();
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
#[inline(always)]
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
                keep_top(&mut rt.stack, &mut rt.sp, height as usize, arity as usize);
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
            (Unwind::Return | Unwind::TailCall(_), Ctrl::Label { .. } | Ctrl::Handler { .. }) => {
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
                keep_top(&mut rt.stack, &mut rt.sp, regs.fp, n);
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
                    keep_top(&mut rt.stack, &mut rt.sp, regs.fp, callee.params as usize);
                    let need = rt.sp + locals.len() + callee.max_stack as usize;
                    if need > rt.config.max_stack_values {
                        reason = Unwind::Exhaust(Exhaustion::CallStack);
                        continue;
                    }
                    if let Err(u) = charge(&mut rt.fuel, callee.body.len()) {
                        reason = u;
                        continue;
                    }
                    reserve(&mut rt.stack, need);
                    rt.stack[rt.sp..rt.sp + locals.len()].copy_from_slice(locals);
                    rt.sp += locals.len();
                    regs.func = f.0;
                    regs.pc = 0;
                    return Ok(Flow::Continue);
                }
                // A host callee returns at once: its results are the frame's.
                FuncInst::Host { ty, func } => {
                    let n = code.types[ty.0 as usize].params.len();
                    keep_top(&mut rt.stack, &mut rt.sp, regs.fp, n);
                    call_host(rt, func, n);
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
    let FuncInst::Wasm {
        module,
        index,
        inst,
        ..
    } = &code.funcs[func as usize]
    else {
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
    let mut sp = height as usize;
    reserve(&mut rt.stack, sp + exn.fields.len() + 1);
    if let CatchKind::Catch | CatchKind::CatchRef = clause.kind {
        rt.stack[sp..sp + exn.fields.len()].copy_from_slice(&exn.fields);
        sp += exn.fields.len();
    }
    if let CatchKind::CatchRef | CatchKind::CatchAllRef = clause.kind {
        rt.stack[sp] = Value::ExnRef(Some(a));
        sp += 1;
    }
    rt.sp = sp;
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
fn wasm_func(code: &Code, func: u32) -> &Func {
    match &code.funcs[func as usize] {
        FuncInst::Wasm { module, index, .. } => &module.funcs[*index as usize],
        FuncInst::Host { .. } => {
            panic!("reference interpreter bug: host function {func} has no code")
        }
    }
}

/// The code and instance of the current function.
struct Context<'c> {
    func: u32,
    code: &'c Func,
    inst: &'c ModuleInst,
}

fn context(code: &Code, func: u32) -> Context<'_> {
    match &code.funcs[func as usize] {
        FuncInst::Wasm {
            module,
            index,
            inst,
            ..
        } => Context {
            func,
            code: &module.funcs[*index as usize],
            inst: &code.instances[inst.index()],
        },
        FuncInst::Host { .. } => {
            panic!("reference interpreter bug: executing host function {func}")
        }
    }
}

/// Moves the top `n` values down to `height`, dropping everything between.
#[inline]
fn keep_top(stack: &mut [Value], sp: &mut usize, height: usize, n: usize) {
    let len = *sp;
    assert!(
        height + n <= len,
        "reference interpreter bug: operand stack of {len} values cannot keep {n} above {height}"
    );
    if len - n != height {
        stack.copy_within(len - n..len, height);
    }
    *sp = height + n;
}

#[inline(always)]
fn un<A: Operand, R: Operand>(
    stack: &mut [Value],
    sp: &mut usize,
    f: impl Fn(A) -> R,
) -> Result<(), Trap> {
    let t = &mut stack[*sp - 1];
    *t = f(A::from_value(t)).into_value();
    Ok(())
}

#[inline(always)]
fn un_trap<A: Operand, R: Operand>(
    stack: &mut [Value],
    sp: &mut usize,
    f: impl Fn(A) -> Result<R, numerics::NumericError>,
) -> Result<(), Trap> {
    let t = &mut stack[*sp - 1];
    *t = f(A::from_value(t))?.into_value();
    Ok(())
}

#[inline(always)]
fn bin<A: Operand, R: Operand>(
    stack: &mut [Value],
    sp: &mut usize,
    f: impl Fn(A, A) -> R,
) -> Result<(), Trap> {
    *sp -= 1;
    let b = A::from_value(&stack[*sp]);
    let t = &mut stack[*sp - 1];
    *t = f(A::from_value(t), b).into_value();
    Ok(())
}

#[inline(always)]
fn bin_trap<A: Operand, R: Operand>(
    stack: &mut [Value],
    sp: &mut usize,
    f: impl Fn(A, A) -> Result<R, numerics::NumericError>,
) -> Result<(), Trap> {
    *sp -= 1;
    let b = A::from_value(&stack[*sp]);
    let t = &mut stack[*sp - 1];
    *t = f(A::from_value(t), b)?.into_value();
    Ok(())
}

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
    stack: &mut [Value],
    sp: usize,
    mem: &Memory,
    counters: &mut Counters,
    count: bool,
    offset: u64,
    conv: impl Fn([u8; N]) -> Value,
) -> Result<(), Trap> {
    let t = &mut stack[sp - 1];
    let addr = t.as_address();
    if count {
        let ea = u128::from(addr) + u128::from(offset);
        counters.access(mem.is64(), ea, N as u64, mem.size_bytes());
    }
    *t = conv(mem.load::<N>(addr, offset)?);
    Ok(())
}

/// `t.store` (4.4.7): pops a value and an address and stores, or traps having written nothing.
#[allow(
    clippy::too_many_arguments,
    reason = "one hot helper shared by nine store instructions"
)]
#[inline(always)]
fn store<const N: usize, T: Operand>(
    stack: &mut [Value],
    sp: &mut usize,
    mem: &mut Memory,
    counters: &mut Counters,
    count: bool,
    offset: u64,
    conv: impl Fn(T) -> [u8; N],
) -> Result<(), Trap> {
    *sp -= 2;
    let addr = stack[*sp].as_address();
    let v = T::from_value(&stack[*sp + 1]);
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

/// `call_indirect` (4.4.8): the callee at index `i` of a table, checked for presence
/// ("undefined element"), non-null ("uninitialized element") and type.
fn indirect(
    code: &Code,
    table: &Table,
    expected: super::store::TypeId,
    i: u64,
) -> Result<FuncAddr, Trap> {
    let elem = slot(i, table.elems.len()).ok_or(Trap::UndefinedElement)?;
    let f = match table.elems[elem] {
        Value::FuncRef(f) => f.ok_or(Trap::UninitializedElement)?,
        other => ill_typed("funcref", other),
    };
    if code.funcs[f.index()].ty() != expected {
        return Err(Trap::IndirectCallTypeMismatch);
    }
    Ok(f)
}

/// The instructions off the hot path of [`execute`], out of line so that the hot loop keeps
/// its registers (the operand stack height goes in and out by value, so that it is never
/// stored in memory there): indirect calls, exceptions, table and bulk memory operations.
/// Returns the new height and the transfer an instruction makes, if any.
#[inline(never)]
fn cold(
    instr: &Instr,
    code: &Code,
    inst: &ModuleInst,
    rt: &mut Runtime,
    mut sp: usize,
) -> (usize, Option<Transfer>) {
    let stack: &mut [Value] = &mut rt.stack;
    macro_rules! exit {
        ($t:expr) => {{
            return (sp, Some($t));
        }};
    }
    macro_rules! push {
        ($v:expr) => {{
            let v = $v;
            stack[sp] = v;
            sp += 1;
        }};
    }
    macro_rules! pop {
        () => {{
            sp -= 1;
            stack[sp]
        }};
    }
    macro_rules! pop_as {
        ($t:ty) => {{
            sp -= 1;
            <$t as Operand>::from_value(&stack[sp])
        }};
    }
    macro_rules! pop_addr {
        () => {{
            sp -= 1;
            stack[sp].as_address()
        }};
    }
    macro_rules! tr {
        ($e:expr) => {
            if let Err(t) = $e {
                exit!(trap(t));
            }
        };
    }
    macro_rules! mem {
        ($m:expr) => {
            &rt.mems[inst.mems[$m as usize].index()]
        };
    }
    macro_rules! mem_mut {
        ($m:expr) => {
            &mut rt.mems[inst.mems[$m as usize].index()]
        };
    }
    match *instr {
        Instr::CallIndirect { ty, table } => {
            let i = pop_addr!();
            let table = &rt.tables[inst.tables[table as usize].index()];
            match indirect(code, table, inst.types[ty as usize], i) {
                Ok(f) => exit!(Transfer::Call(f)),
                Err(t) => exit!(trap(t)),
            }
        }
        Instr::ReturnCallIndirect { ty, table } => {
            let i = pop_addr!();
            let table = &rt.tables[inst.tables[table as usize].index()];
            match indirect(code, table, inst.types[ty as usize], i) {
                Ok(f) => exit!(Transfer::Unwind(Unwind::TailCall(f))),
                Err(t) => exit!(trap(t)),
            }
        }
        Instr::Throw(x) => {
            // Exceptions: `throw x` allocates an exception of the tag's instance
            // with the payload, then behaves as `throw_ref` of it.
            let tag = inst.tags[x as usize];
            let n = code.types[rt.tags[tag.index()].ty.0 as usize].params.len();
            let fields: Box<[Value]> = stack[sp - n..sp].into();
            sp -= n;
            let a = rt.alloc_exn(ExnInst { tag, fields });
            if rt.config.count {
                rt.counters.thrown += 1;
            }
            exit!(Transfer::Unwind(Unwind::Throw(a)));
        }
        Instr::ThrowRef => {
            if rt.config.count {
                rt.counters.throw_refs += 1;
            }
            match pop!() {
                Value::ExnRef(None) => exit!(trap(Trap::NullExceptionReference)),
                Value::ExnRef(Some(a)) => {
                    if rt.config.count {
                        rt.counters.thrown += 1;
                    }
                    exit!(Transfer::Unwind(Unwind::Throw(a)));
                }
                other => ill_typed("exnref", other),
            }
        }
        Instr::TableGet(x) => {
            let t = &rt.tables[inst.tables[x as usize].index()];
            match slot(stack[sp - 1].as_address(), t.elems.len()) {
                Some(i) => stack[sp - 1] = t.elems[i],
                None => exit!(trap(Trap::TableOutOfBounds)),
            }
        }
        Instr::TableSet(x) => {
            let v = pop!();
            let i = pop_addr!();
            let t = &mut rt.tables[inst.tables[x as usize].index()];
            match slot(i, t.elems.len()) {
                Some(i) => t.elems[i] = v,
                None => exit!(trap(Trap::TableOutOfBounds)),
            }
        }
        Instr::TableSize(x) => {
            let t = &rt.tables[inst.tables[x as usize].index()];
            push!(index_value(t.ty.index, t.elems.len() as u64));
        }
        Instr::TableGrow(x) => {
            let n = pop_addr!();
            let init = pop!();
            let t = &mut rt.tables[inst.tables[x as usize].index()];
            let old = t.grow(n, init, rt.config.max_table_elements);
            push!(index_value(t.ty.index, old.unwrap_or(u64::MAX)));
        }
        Instr::TableFill(x) => {
            let n = pop_addr!();
            let v = pop!();
            let i = pop_addr!();
            let t = &mut rt.tables[inst.tables[x as usize].index()];
            if !fits(i, n, t.elems.len()) {
                exit!(trap(Trap::TableOutOfBounds));
            }
            t.elems[i as usize..(i + n) as usize].fill(v);
        }
        Instr::TableCopy { dst, src } => {
            let n = pop_addr!();
            let s = pop_addr!();
            let d = pop_addr!();
            let (dst, src) = (
                inst.tables[dst as usize].index(),
                inst.tables[src as usize].index(),
            );
            if !fits(s, n, rt.tables[src].elems.len()) || !fits(d, n, rt.tables[dst].elems.len()) {
                exit!(trap(Trap::TableOutOfBounds));
            }
            let (s, d, n) = (s as usize, d as usize, n as usize);
            if dst == src {
                rt.tables[dst].elems.copy_within(s..s + n, d);
            } else {
                let (dt, st) = two(&mut rt.tables, dst, src);
                dt.elems[d..d + n].copy_from_slice(&st.elems[s..s + n]);
            }
        }
        Instr::TableInit { elem, table } => {
            let n = pop_addr!();
            let s = pop_addr!();
            let d = pop_addr!();
            let seg = &rt.elems[inst.elems[elem as usize].index()];
            let t = &mut rt.tables[inst.tables[table as usize].index()];
            if !fits(s, n, seg.len()) || !fits(d, n, t.elems.len()) {
                exit!(trap(Trap::TableOutOfBounds));
            }
            let (s, d, n) = (s as usize, d as usize, n as usize);
            t.elems[d..d + n].copy_from_slice(&seg[s..s + n]);
        }
        Instr::ElemDrop(x) => rt.elems[inst.elems[x as usize].index()] = Box::default(),
        Instr::MemorySize(m) => {
            let mem = mem!(m);
            push!(index_value(mem.ty().index, mem.size_pages()));
        }
        Instr::MemoryGrow(m) => {
            let delta = pop_addr!();
            let mem = mem_mut!(m);
            let old = mem.grow(delta, rt.config.max_memory_bytes, rt.config.max_grow_bytes);
            if rt.config.count {
                if mem.is64() {
                    rt.counters.grow64 += 1;
                } else {
                    rt.counters.grow32 += 1;
                }
                if old.is_none() {
                    rt.counters.grow_failures += 1;
                }
            }
            push!(index_value(mem.ty().index, old.unwrap_or(u64::MAX)));
        }
        Instr::MemoryFill(m) => {
            let n = pop_addr!();
            let v = pop_as!(i32);
            let d = pop_addr!();
            let mem = mem_mut!(m);
            count_range(&mut rt.counters, rt.config.count, mem, d, n);
            tr!(mem.fill(d, v as u8, n));
        }
        Instr::MemoryCopy { dst, src } => {
            let n = pop_addr!();
            let s = pop_addr!();
            let d = pop_addr!();
            let (dst, src) = (
                inst.mems[dst as usize].index(),
                inst.mems[src as usize].index(),
            );
            count_range(&mut rt.counters, rt.config.count, &rt.mems[src], s, n);
            count_range(&mut rt.counters, rt.config.count, &rt.mems[dst], d, n);
            if dst == src {
                tr!(rt.mems[dst].copy_within(d, s, n));
            } else {
                let (dm, sm) = two(&mut rt.mems, dst, src);
                tr!(Memory::copy_between(dm, d, sm, s, n));
            }
        }
        Instr::MemoryInit { data, mem } => {
            let n = pop_addr!();
            let s = pop_addr!();
            let d = pop_addr!();
            let bytes = &rt.datas[inst.datas[data as usize].index()];
            let mem = mem_mut!(mem);
            count_range(&mut rt.counters, rt.config.count, mem, d, n);
            if !fits(s, n, bytes.len()) {
                exit!(trap(Trap::MemoryOutOfBounds));
            }
            tr!(mem.write(d, &bytes[s as usize..(s + n) as usize]));
        }
        Instr::DataDrop(x) => {
            rt.datas[inst.datas[x as usize].index()] = std::sync::Arc::from([]);
        }
        _ => unreachable!("not a cold instruction: {instr:?}"),
    }
    (sp, None)
}

/// `br l`, resolved by [`unwind`] (out of line, so that the instruction loop stays small).
#[inline(never)]
fn branch(code: &Code, rt: &mut Runtime, regs: &mut Regs, l: u32) -> Result<Flow, Stop> {
    unwind(code, rt, regs, Unwind::Br(l))
}

#[inline(always)]
fn trap(t: Trap) -> Transfer {
    Transfer::Unwind(Unwind::Trap(t))
}

/// Executes instructions from the registers' position until evaluation returns to the host or
/// stops: straight-line instructions here, transfers through [`enter`] and [`unwind`].
fn execute(code: &Code, rt: &mut Runtime, mut regs: Regs) -> Result<(), Stop> {
    let mut ctx = context(code, regs.func);
    loop {
        let func = ctx.code;
        let inst = ctx.inst;
        let body: &[Instr] = &func.body;
        let fp = regs.fp;
        let mut pc = regs.pc;
        let mut sp = rt.sp;
        let transfer = {
            let mut stack: &mut [Value] = &mut rt.stack;
            macro_rules! push {
                ($v:expr) => {{
                    let v = $v;
                    stack[sp] = v;
                    sp += 1;
                }};
            }
            macro_rules! pop {
                () => {{
                    sp -= 1;
                    stack[sp]
                }};
            }
            macro_rules! pop_as {
                ($t:ty) => {{
                    sp -= 1;
                    <$t as Operand>::from_value(&stack[sp])
                }};
            }
            macro_rules! tr {
                ($e:expr) => {
                    if let Err(t) = $e {
                        break trap(t);
                    }
                };
            }
            macro_rules! mem {
                ($m:expr) => {
                    &rt.mems[inst.mems[$m as usize].index()]
                };
            }
            macro_rules! mem_mut {
                ($m:expr) => {
                    &mut rt.mems[inst.mems[$m as usize].index()]
                };
            }
            // A load of `$n` bytes through memarg `$m`, converted to a value by `$conv`.
            macro_rules! ld {
                ($n:literal, $m:expr, $conv:expr) => {
                    tr!(load::<$n>(
                        stack,
                        sp,
                        mem!($m.mem),
                        &mut rt.counters,
                        rt.config.count,
                        $m.offset(),
                        $conv
                    ))
                };
            }
            // A store through memarg `$m` of the bytes `$conv` makes of the operand.
            macro_rules! st {
                ($m:expr, $conv:expr) => {
                    tr!(store(
                        stack,
                        &mut sp,
                        mem_mut!($m.mem),
                        &mut rt.counters,
                        rt.config.count,
                        $m.offset(),
                        $conv
                    ))
                };
            }
            loop {
                let instr = &body[pc];
                pc += 1;
                match *instr {
                    Instr::Unreachable => break trap(Trap::Unreachable),
                    Instr::Nop => {}
                    Instr::Block { ty, len } => rt.ctrl.push(Ctrl::Label {
                        cont: (pc + len as usize) as u32,
                        height: (sp - ty.params as usize) as u32,
                        arity: u32::from(ty.results),
                    }),
                    Instr::Loop { ty, len } => {
                        if let Err(u) = charge(&mut rt.fuel, len as usize) {
                            break Transfer::Unwind(u);
                        }
                        rt.ctrl.push(Ctrl::Label {
                            cont: (pc - 1) as u32,
                            height: (sp - ty.params as usize) as u32,
                            arity: u32::from(ty.params),
                        })
                    }
                    Instr::If { ty, then_len, len } => {
                        let c = pop_as!(i32);
                        if c == 0 && then_len == len {
                            // No else-branch: `block bt end`, nothing to run.
                            pc += len as usize;
                        } else {
                            rt.ctrl.push(Ctrl::Label {
                                cont: (pc + len as usize) as u32,
                                height: (sp - ty.params as usize) as u32,
                                arity: u32::from(ty.results),
                            });
                            if c == 0 {
                                pc += then_len as usize;
                            }
                        }
                    }
                    Instr::Else => match rt.ctrl.pop() {
                        Some(Ctrl::Label { cont, .. }) => pc = cont as usize,
                        other => {
                            panic!("reference interpreter bug: else without its label: {other:?}")
                        }
                    },
                    Instr::End => match rt.ctrl.pop() {
                        Some(Ctrl::Label { .. }) => {}
                        other => {
                            panic!("reference interpreter bug: end without its label: {other:?}")
                        }
                    },
                    Instr::TryTable { ty, catches, len } => {
                        let height = (sp - ty.params as usize) as u32;
                        rt.ctrl.push(Ctrl::Handler { catches, height });
                        rt.ctrl.push(Ctrl::Label {
                            cont: (pc + len as usize) as u32,
                            height,
                            arity: u32::from(ty.results),
                        });
                    }
                    Instr::EndHandler => match rt.ctrl.pop() {
                        Some(Ctrl::Handler { .. }) => {}
                        other => panic!(
                            "reference interpreter bug: handler end without its handler: {other:?}"
                        ),
                    },
                    // Branches are resolved by `unwind` without leaving this loop when they stay
                    // in the current function.
                    Instr::Br(_) | Instr::BrIf(_) | Instr::BrTable(_) => {
                        let l = match *instr {
                            Instr::Br(l) => l,
                            Instr::BrIf(l) => {
                                if pop_as!(i32) == 0 {
                                    continue;
                                }
                                l
                            }
                            Instr::BrTable(t) => {
                                let i = pop_as!(i32) as u32 as usize;
                                let labels = &func.br_tables[t as usize];
                                labels[i.min(labels.len() - 1)]
                            }
                            _ => unreachable!("matched a branch"),
                        };
                        rt.sp = sp;
                        regs.pc = pc;
                        let flow = branch(code, rt, &mut regs, l);
                        // What `unwind` left is the state from here on.
                        pc = regs.pc;
                        sp = rt.sp;
                        stack = &mut rt.stack;
                        match flow {
                            // Still in the same frame (a branch to the function's own label
                            // returns, possibly to another frame of the same function).
                            Ok(Flow::Continue) if regs.func == ctx.func && regs.fp == fp => {}
                            other => break Transfer::Resolved(other),
                        }
                    }
                    Instr::Return => break Transfer::Unwind(Unwind::Return),
                    Instr::Call(x) => break Transfer::Call(inst.funcs[x as usize]),
                    // Instructions off the hot path run in `cold`, out of line.
                    Instr::CallIndirect { .. }
                    | Instr::ReturnCallIndirect { .. }
                    | Instr::Throw(_)
                    | Instr::ThrowRef
                    | Instr::TableGet(_)
                    | Instr::TableSet(_)
                    | Instr::TableSize(_)
                    | Instr::TableGrow(_)
                    | Instr::TableFill(_)
                    | Instr::TableCopy { .. }
                    | Instr::TableInit { .. }
                    | Instr::ElemDrop(_)
                    | Instr::MemorySize(_)
                    | Instr::MemoryGrow(_)
                    | Instr::MemoryFill(_)
                    | Instr::MemoryCopy { .. }
                    | Instr::MemoryInit { .. }
                    | Instr::DataDrop(_) => {
                        let (new_sp, next) = cold(instr, code, inst, rt, sp);
                        sp = new_sp;
                        stack = &mut rt.stack;
                        if let Some(next) = next {
                            break next;
                        }
                    }
                    Instr::ReturnCall(x) => {
                        break Transfer::Unwind(Unwind::TailCall(inst.funcs[x as usize]));
                    }
                    Instr::Drop => sp -= 1,
                    Instr::Select => {
                        let c = pop_as!(i32);
                        let b = pop!();
                        if c == 0 {
                            stack[sp - 1] = b;
                        }
                    }
                    Instr::LocalGet(x) => push!(stack[fp + x as usize]),
                    Instr::LocalSet(x) => {
                        let v = pop!();
                        stack[fp + x as usize] = v;
                    }
                    Instr::LocalTee(x) => stack[fp + x as usize] = stack[sp - 1],
                    Instr::GlobalGet(x) => {
                        push!(rt.globals[inst.globals[x as usize].index()].value)
                    }
                    Instr::GlobalSet(x) => {
                        let v = pop!();
                        rt.globals[inst.globals[x as usize].index()].value = v;
                    }
                    Instr::I32Load(m) => ld!(4, m, |b| Value::I32(i32::from_le_bytes(b))),
                    Instr::I64Load(m) => ld!(8, m, |b| Value::I64(i64::from_le_bytes(b))),
                    Instr::F32Load(m) => ld!(4, m, |b| Value::F32(u32::from_le_bytes(b))),
                    Instr::F64Load(m) => ld!(8, m, |b| Value::F64(u64::from_le_bytes(b))),
                    Instr::I32Load8S(m) => ld!(1, m, |b| Value::I32(i32::from(b[0] as i8))),
                    Instr::I32Load8U(m) => ld!(1, m, |b| Value::I32(i32::from(b[0]))),
                    Instr::I32Load16S(m) => {
                        ld!(2, m, |b| Value::I32(i32::from(i16::from_le_bytes(b))))
                    }
                    Instr::I32Load16U(m) => {
                        ld!(2, m, |b| Value::I32(i32::from(u16::from_le_bytes(b))))
                    }
                    Instr::I64Load8S(m) => ld!(1, m, |b| Value::I64(i64::from(b[0] as i8))),
                    Instr::I64Load8U(m) => ld!(1, m, |b| Value::I64(i64::from(b[0]))),
                    Instr::I64Load16S(m) => {
                        ld!(2, m, |b| Value::I64(i64::from(i16::from_le_bytes(b))))
                    }
                    Instr::I64Load16U(m) => {
                        ld!(2, m, |b| Value::I64(i64::from(u16::from_le_bytes(b))))
                    }
                    Instr::I64Load32S(m) => {
                        ld!(4, m, |b| Value::I64(i64::from(i32::from_le_bytes(b))))
                    }
                    Instr::I64Load32U(m) => {
                        ld!(4, m, |b| Value::I64(i64::from(u32::from_le_bytes(b))))
                    }
                    Instr::I32Store(m) => st!(m, |v: i32| v.to_le_bytes()),
                    Instr::I64Store(m) => st!(m, |v: i64| v.to_le_bytes()),
                    Instr::F32Store(m) => st!(m, |v: u32| v.to_le_bytes()),
                    Instr::F64Store(m) => st!(m, |v: u64| v.to_le_bytes()),
                    Instr::I32Store8(m) => st!(m, |v: i32| [v as u8]),
                    Instr::I32Store16(m) => st!(m, |v: i32| (v as u16).to_le_bytes()),
                    Instr::I64Store8(m) => st!(m, |v: i64| [v as u8]),
                    Instr::I64Store16(m) => st!(m, |v: i64| (v as u16).to_le_bytes()),
                    Instr::I64Store32(m) => st!(m, |v: i64| (v as u32).to_le_bytes()),
                    Instr::RefNull(t) => push!(Value::null(t)),
                    Instr::RefIsNull => {
                        let t = &mut stack[sp - 1];
                        *t = Value::I32(i32::from(t.is_null()));
                    }
                    Instr::RefFunc(x) => push!(Value::FuncRef(Some(inst.funcs[x as usize]))),
                    Instr::I32Const(x) => push!(Value::I32(x)),
                    Instr::I64Const(x) => push!(Value::I64(x)),
                    Instr::F32Const(x) => push!(Value::F32(x)),
                    Instr::F64Const(x) => push!(Value::F64(x)),
                    // Numeric instructions (4.4.1): pop the operands, push the result of the
                    // operator's function in `numerics`, or trap with its error.
                    Instr::I32Eqz => tr!(un(stack, &mut sp, numerics::i32_eqz)),
                    Instr::I32Eq => tr!(bin(stack, &mut sp, numerics::i32_eq)),
                    Instr::I32Ne => tr!(bin(stack, &mut sp, numerics::i32_ne)),
                    Instr::I32LtS => tr!(bin(stack, &mut sp, numerics::i32_lt_s)),
                    Instr::I32LtU => tr!(bin(stack, &mut sp, numerics::i32_lt_u)),
                    Instr::I32GtS => tr!(bin(stack, &mut sp, numerics::i32_gt_s)),
                    Instr::I32GtU => tr!(bin(stack, &mut sp, numerics::i32_gt_u)),
                    Instr::I32LeS => tr!(bin(stack, &mut sp, numerics::i32_le_s)),
                    Instr::I32LeU => tr!(bin(stack, &mut sp, numerics::i32_le_u)),
                    Instr::I32GeS => tr!(bin(stack, &mut sp, numerics::i32_ge_s)),
                    Instr::I32GeU => tr!(bin(stack, &mut sp, numerics::i32_ge_u)),
                    Instr::I64Eqz => tr!(un(stack, &mut sp, numerics::i64_eqz)),
                    Instr::I64Eq => tr!(bin(stack, &mut sp, numerics::i64_eq)),
                    Instr::I64Ne => tr!(bin(stack, &mut sp, numerics::i64_ne)),
                    Instr::I64LtS => tr!(bin(stack, &mut sp, numerics::i64_lt_s)),
                    Instr::I64LtU => tr!(bin(stack, &mut sp, numerics::i64_lt_u)),
                    Instr::I64GtS => tr!(bin(stack, &mut sp, numerics::i64_gt_s)),
                    Instr::I64GtU => tr!(bin(stack, &mut sp, numerics::i64_gt_u)),
                    Instr::I64LeS => tr!(bin(stack, &mut sp, numerics::i64_le_s)),
                    Instr::I64LeU => tr!(bin(stack, &mut sp, numerics::i64_le_u)),
                    Instr::I64GeS => tr!(bin(stack, &mut sp, numerics::i64_ge_s)),
                    Instr::I64GeU => tr!(bin(stack, &mut sp, numerics::i64_ge_u)),
                    Instr::F32Eq => tr!(bin(stack, &mut sp, numerics::f32_eq)),
                    Instr::F32Ne => tr!(bin(stack, &mut sp, numerics::f32_ne)),
                    Instr::F32Lt => tr!(bin(stack, &mut sp, numerics::f32_lt)),
                    Instr::F32Gt => tr!(bin(stack, &mut sp, numerics::f32_gt)),
                    Instr::F32Le => tr!(bin(stack, &mut sp, numerics::f32_le)),
                    Instr::F32Ge => tr!(bin(stack, &mut sp, numerics::f32_ge)),
                    Instr::F64Eq => tr!(bin(stack, &mut sp, numerics::f64_eq)),
                    Instr::F64Ne => tr!(bin(stack, &mut sp, numerics::f64_ne)),
                    Instr::F64Lt => tr!(bin(stack, &mut sp, numerics::f64_lt)),
                    Instr::F64Gt => tr!(bin(stack, &mut sp, numerics::f64_gt)),
                    Instr::F64Le => tr!(bin(stack, &mut sp, numerics::f64_le)),
                    Instr::F64Ge => tr!(bin(stack, &mut sp, numerics::f64_ge)),
                    Instr::I32Clz => tr!(un(stack, &mut sp, numerics::i32_clz)),
                    Instr::I32Ctz => tr!(un(stack, &mut sp, numerics::i32_ctz)),
                    Instr::I32Popcnt => tr!(un(stack, &mut sp, numerics::i32_popcnt)),
                    Instr::I32Add => tr!(bin(stack, &mut sp, numerics::i32_add)),
                    Instr::I32Sub => tr!(bin(stack, &mut sp, numerics::i32_sub)),
                    Instr::I32Mul => tr!(bin(stack, &mut sp, numerics::i32_mul)),
                    Instr::I32DivS => tr!(bin_trap(stack, &mut sp, numerics::i32_div_s)),
                    Instr::I32DivU => tr!(bin_trap(stack, &mut sp, numerics::i32_div_u)),
                    Instr::I32RemS => tr!(bin_trap(stack, &mut sp, numerics::i32_rem_s)),
                    Instr::I32RemU => tr!(bin_trap(stack, &mut sp, numerics::i32_rem_u)),
                    Instr::I32And => tr!(bin(stack, &mut sp, numerics::i32_and)),
                    Instr::I32Or => tr!(bin(stack, &mut sp, numerics::i32_or)),
                    Instr::I32Xor => tr!(bin(stack, &mut sp, numerics::i32_xor)),
                    Instr::I32Shl => tr!(bin(stack, &mut sp, numerics::i32_shl)),
                    Instr::I32ShrS => tr!(bin(stack, &mut sp, numerics::i32_shr_s)),
                    Instr::I32ShrU => tr!(bin(stack, &mut sp, numerics::i32_shr_u)),
                    Instr::I32Rotl => tr!(bin(stack, &mut sp, numerics::i32_rotl)),
                    Instr::I32Rotr => tr!(bin(stack, &mut sp, numerics::i32_rotr)),
                    Instr::I64Clz => tr!(un(stack, &mut sp, numerics::i64_clz)),
                    Instr::I64Ctz => tr!(un(stack, &mut sp, numerics::i64_ctz)),
                    Instr::I64Popcnt => tr!(un(stack, &mut sp, numerics::i64_popcnt)),
                    Instr::I64Add => tr!(bin(stack, &mut sp, numerics::i64_add)),
                    Instr::I64Sub => tr!(bin(stack, &mut sp, numerics::i64_sub)),
                    Instr::I64Mul => tr!(bin(stack, &mut sp, numerics::i64_mul)),
                    Instr::I64DivS => tr!(bin_trap(stack, &mut sp, numerics::i64_div_s)),
                    Instr::I64DivU => tr!(bin_trap(stack, &mut sp, numerics::i64_div_u)),
                    Instr::I64RemS => tr!(bin_trap(stack, &mut sp, numerics::i64_rem_s)),
                    Instr::I64RemU => tr!(bin_trap(stack, &mut sp, numerics::i64_rem_u)),
                    Instr::I64And => tr!(bin(stack, &mut sp, numerics::i64_and)),
                    Instr::I64Or => tr!(bin(stack, &mut sp, numerics::i64_or)),
                    Instr::I64Xor => tr!(bin(stack, &mut sp, numerics::i64_xor)),
                    Instr::I64Shl => tr!(bin(stack, &mut sp, numerics::i64_shl)),
                    Instr::I64ShrS => tr!(bin(stack, &mut sp, numerics::i64_shr_s)),
                    Instr::I64ShrU => tr!(bin(stack, &mut sp, numerics::i64_shr_u)),
                    Instr::I64Rotl => tr!(bin(stack, &mut sp, numerics::i64_rotl)),
                    Instr::I64Rotr => tr!(bin(stack, &mut sp, numerics::i64_rotr)),
                    Instr::F32Abs => tr!(un(stack, &mut sp, numerics::f32_abs)),
                    Instr::F32Neg => tr!(un(stack, &mut sp, numerics::f32_neg)),
                    Instr::F32Ceil => tr!(un(stack, &mut sp, numerics::f32_ceil)),
                    Instr::F32Floor => tr!(un(stack, &mut sp, numerics::f32_floor)),
                    Instr::F32Trunc => tr!(un(stack, &mut sp, numerics::f32_trunc)),
                    Instr::F32Nearest => tr!(un(stack, &mut sp, numerics::f32_nearest)),
                    Instr::F32Sqrt => tr!(un(stack, &mut sp, numerics::f32_sqrt)),
                    Instr::F32Add => tr!(bin(stack, &mut sp, numerics::f32_add)),
                    Instr::F32Sub => tr!(bin(stack, &mut sp, numerics::f32_sub)),
                    Instr::F32Mul => tr!(bin(stack, &mut sp, numerics::f32_mul)),
                    Instr::F32Div => tr!(bin(stack, &mut sp, numerics::f32_div)),
                    Instr::F32Min => tr!(bin(stack, &mut sp, numerics::f32_min)),
                    Instr::F32Max => tr!(bin(stack, &mut sp, numerics::f32_max)),
                    Instr::F32Copysign => tr!(bin(stack, &mut sp, numerics::f32_copysign)),
                    Instr::F64Abs => tr!(un(stack, &mut sp, numerics::f64_abs)),
                    Instr::F64Neg => tr!(un(stack, &mut sp, numerics::f64_neg)),
                    Instr::F64Ceil => tr!(un(stack, &mut sp, numerics::f64_ceil)),
                    Instr::F64Floor => tr!(un(stack, &mut sp, numerics::f64_floor)),
                    Instr::F64Trunc => tr!(un(stack, &mut sp, numerics::f64_trunc)),
                    Instr::F64Nearest => tr!(un(stack, &mut sp, numerics::f64_nearest)),
                    Instr::F64Sqrt => tr!(un(stack, &mut sp, numerics::f64_sqrt)),
                    Instr::F64Add => tr!(bin(stack, &mut sp, numerics::f64_add)),
                    Instr::F64Sub => tr!(bin(stack, &mut sp, numerics::f64_sub)),
                    Instr::F64Mul => tr!(bin(stack, &mut sp, numerics::f64_mul)),
                    Instr::F64Div => tr!(bin(stack, &mut sp, numerics::f64_div)),
                    Instr::F64Min => tr!(bin(stack, &mut sp, numerics::f64_min)),
                    Instr::F64Max => tr!(bin(stack, &mut sp, numerics::f64_max)),
                    Instr::F64Copysign => tr!(bin(stack, &mut sp, numerics::f64_copysign)),
                    Instr::I32WrapI64 => tr!(un(stack, &mut sp, numerics::i32_wrap_i64)),
                    Instr::I32TruncF32S => tr!(un_trap(stack, &mut sp, numerics::i32_trunc_f32_s)),
                    Instr::I32TruncF32U => tr!(un_trap(stack, &mut sp, numerics::i32_trunc_f32_u)),
                    Instr::I32TruncF64S => tr!(un_trap(stack, &mut sp, numerics::i32_trunc_f64_s)),
                    Instr::I32TruncF64U => tr!(un_trap(stack, &mut sp, numerics::i32_trunc_f64_u)),
                    Instr::I64ExtendI32S => tr!(un(stack, &mut sp, numerics::i64_extend_i32_s)),
                    Instr::I64ExtendI32U => tr!(un(stack, &mut sp, numerics::i64_extend_i32_u)),
                    Instr::I64TruncF32S => tr!(un_trap(stack, &mut sp, numerics::i64_trunc_f32_s)),
                    Instr::I64TruncF32U => tr!(un_trap(stack, &mut sp, numerics::i64_trunc_f32_u)),
                    Instr::I64TruncF64S => tr!(un_trap(stack, &mut sp, numerics::i64_trunc_f64_s)),
                    Instr::I64TruncF64U => tr!(un_trap(stack, &mut sp, numerics::i64_trunc_f64_u)),
                    Instr::F32ConvertI32S => tr!(un(stack, &mut sp, numerics::f32_convert_i32_s)),
                    Instr::F32ConvertI32U => tr!(un(stack, &mut sp, numerics::f32_convert_i32_u)),
                    Instr::F32ConvertI64S => tr!(un(stack, &mut sp, numerics::f32_convert_i64_s)),
                    Instr::F32ConvertI64U => tr!(un(stack, &mut sp, numerics::f32_convert_i64_u)),
                    Instr::F32DemoteF64 => tr!(un(stack, &mut sp, numerics::f32_demote_f64)),
                    Instr::F64ConvertI32S => tr!(un(stack, &mut sp, numerics::f64_convert_i32_s)),
                    Instr::F64ConvertI32U => tr!(un(stack, &mut sp, numerics::f64_convert_i32_u)),
                    Instr::F64ConvertI64S => tr!(un(stack, &mut sp, numerics::f64_convert_i64_s)),
                    Instr::F64ConvertI64U => tr!(un(stack, &mut sp, numerics::f64_convert_i64_u)),
                    Instr::F64PromoteF32 => tr!(un(stack, &mut sp, numerics::f64_promote_f32)),
                    Instr::I32ReinterpretF32 => {
                        tr!(un(stack, &mut sp, numerics::i32_reinterpret_f32))
                    }
                    Instr::I64ReinterpretF64 => {
                        tr!(un(stack, &mut sp, numerics::i64_reinterpret_f64))
                    }
                    Instr::F32ReinterpretI32 => {
                        tr!(un(stack, &mut sp, numerics::f32_reinterpret_i32))
                    }
                    Instr::F64ReinterpretI64 => {
                        tr!(un(stack, &mut sp, numerics::f64_reinterpret_i64))
                    }
                    Instr::I32Extend8S => tr!(un(stack, &mut sp, numerics::i32_extend8_s)),
                    Instr::I32Extend16S => tr!(un(stack, &mut sp, numerics::i32_extend16_s)),
                    Instr::I64Extend8S => tr!(un(stack, &mut sp, numerics::i64_extend8_s)),
                    Instr::I64Extend16S => tr!(un(stack, &mut sp, numerics::i64_extend16_s)),
                    Instr::I64Extend32S => tr!(un(stack, &mut sp, numerics::i64_extend32_s)),
                    Instr::I32TruncSatF32S => {
                        tr!(un(stack, &mut sp, numerics::i32_trunc_sat_f32_s))
                    }
                    Instr::I32TruncSatF32U => {
                        tr!(un(stack, &mut sp, numerics::i32_trunc_sat_f32_u))
                    }
                    Instr::I32TruncSatF64S => {
                        tr!(un(stack, &mut sp, numerics::i32_trunc_sat_f64_s))
                    }
                    Instr::I32TruncSatF64U => {
                        tr!(un(stack, &mut sp, numerics::i32_trunc_sat_f64_u))
                    }
                    Instr::I64TruncSatF32S => {
                        tr!(un(stack, &mut sp, numerics::i64_trunc_sat_f32_s))
                    }
                    Instr::I64TruncSatF32U => {
                        tr!(un(stack, &mut sp, numerics::i64_trunc_sat_f32_u))
                    }
                    Instr::I64TruncSatF64S => {
                        tr!(un(stack, &mut sp, numerics::i64_trunc_sat_f64_s))
                    }
                    Instr::I64TruncSatF64U => {
                        tr!(un(stack, &mut sp, numerics::i64_trunc_sat_f64_u))
                    }
                }
            }
        };
        rt.sp = sp;
        regs.pc = pc;
        let flow = match transfer {
            Transfer::Call(f) => match enter(code, rt, &mut regs, f) {
                Ok(()) => Flow::Continue,
                Err(u) => unwind(code, rt, &mut regs, u)?,
            },
            Transfer::Unwind(u) => unwind(code, rt, &mut regs, u)?,
            Transfer::Resolved(r) => r?,
        };
        if let Flow::Finished = flow {
            return Ok(());
        }
        if regs.func != ctx.func {
            ctx = context(code, regs.func);
        }
    }
}
