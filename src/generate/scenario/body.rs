//! `FuncBuilder`: generates one function body from stack-neutral statement building blocks
//! (throw, call, `try_table` with handlers, `throw_ref`, stores, bulk memory, grows, traps,
//! data-dependent branches), one method per block, valid by construction.
//!
//! Invariants every block keeps: it leaves the operand stack as it found it; it branches only
//! to labels it can see with values of the label's types (never to a `loop` label, except
//! the counted loop's own back edge); it only calls functions of the layout's web, whose
//! budget prologue bounds recursion.

use super::config::{ScenarioConfig, Shape, Start, TableChoice, Weights};
use super::{EXN_HEAP, Layout, Role, Ty, Types};
use crate::generate::addresses;
use crate::generate::args::{F32_BOUNDARIES, F64_BOUNDARIES, I32_BOUNDARIES, I64_BOUNDARIES};
use crate::generate::choices::Choices;
use std::borrow::Cow;
use wasm_encoder::{
    BlockType, Catch, Function, HeapType, Ieee32, Ieee64, Instruction as I, MemArg, MemArgTarget,
};

/// What opened a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LabelKind {
    /// The function body.
    Func,
    /// A `block`.
    Block,
    /// An `if` (or its `else`).
    If,
    /// A `loop`: never a branch target except for its own back edge.
    Loop,
    /// A `try_table`.
    Try,
}

/// A label in scope: the types a branch to it carries.
#[derive(Clone, Debug)]
struct Label {
    kind: LabelKind,
    types: Vec<Ty>,
}

/// One statement building block: a row of [`STATEMENTS`], as wasm-smith's code builder pairs
/// each instruction with its validity predicate.
pub struct StmtRow {
    /// The block's name (as in [`Weights`]).
    pub name: &'static str,
    /// Its weight among the blocks that apply: the [`Weights`] knob it reads.
    pub knob: fn(&mut Weights) -> &mut u32,
    /// Whether it can be built here: its prerequisites (a memory, tags, a table, a callee,
    /// room to nest) are present.
    pub applies: fn(&FuncBuilder) -> bool,
    /// Emits it; it leaves the operand stack as it found it.
    pub build: fn(&mut FuncBuilder, &mut Choices),
}

/// Every statement building block, one row each.
pub const STATEMENTS: &[StmtRow] = &[
    StmtRow {
        name: "throw",
        knob: |w| &mut w.throw,
        applies: |b| !b.layout.tags.is_empty(),
        build: |b, c| b.stmt_throw(c),
    },
    StmtRow {
        name: "call",
        knob: |w| &mut w.call,
        applies: |b| !b.callees().is_empty(),
        build: |b, c| b.stmt_call(c),
    },
    StmtRow {
        name: "call_indirect",
        knob: |w| &mut w.call_indirect,
        applies: |b| b.has_table_elements(),
        build: |b, c| b.stmt_call_indirect(c),
    },
    StmtRow {
        name: "tail_call",
        knob: |w| &mut w.tail_call,
        applies: |b| b.cfg.tail_calls && b.tail_candidates(),
        build: |b, c| b.stmt_tail_call(c),
    },
    StmtRow {
        name: "try_table",
        knob: |w| &mut w.try_table,
        applies: |b| b.may_nest(),
        build: |b, c| b.stmt_try_table(c),
    },
    StmtRow {
        name: "throw_ref",
        knob: |w| &mut w.throw_ref,
        applies: |_| true,
        build: |b, c| b.stmt_throw_ref(c),
    },
    StmtRow {
        name: "stash",
        knob: |w| &mut w.stash,
        applies: |b| !b.layout.scratch(Ty::Exn).is_empty(),
        build: |b, c| b.stmt_stash(c),
    },
    StmtRow {
        name: "global_write",
        knob: |w| &mut w.global_write,
        applies: |b| {
            let l = b.layout;
            l.globals.iter().any(|g| g.role == Role::Scratch) || l.global(Role::Counter).is_some()
        },
        build: |b, c| b.stmt_global_write(c),
    },
    StmtRow {
        name: "store",
        knob: |w| &mut w.store,
        applies: |b| b.has_memory(),
        build: |b, c| b.stmt_store(c),
    },
    StmtRow {
        name: "load",
        knob: |w| &mut w.load,
        applies: |b| b.has_memory(),
        build: |b, c| b.stmt_load(c),
    },
    StmtRow {
        name: "bulk",
        knob: |w| &mut w.bulk,
        applies: |b| b.has_memory(),
        build: |b, c| b.stmt_bulk(c),
    },
    StmtRow {
        name: "grow",
        knob: |w| &mut w.grow,
        applies: |b| b.has_memory(),
        build: |b, c| b.stmt_grow(c),
    },
    StmtRow {
        name: "trap",
        knob: |w| &mut w.trap,
        applies: |_| true,
        build: |b, c| b.stmt_trap(c),
    },
    StmtRow {
        name: "branch",
        knob: |w| &mut w.branch,
        applies: |b| b.may_nest(),
        build: |b, c| b.stmt_branch(c),
    },
    StmtRow {
        name: "switch",
        knob: |w| &mut w.switch,
        applies: |b| b.may_nest(),
        build: |b, c| b.stmt_switch(c),
    },
    StmtRow {
        name: "exit",
        knob: |w| &mut w.exit,
        applies: |_| true,
        build: |b, c| b.stmt_exit(c),
    },
    StmtRow {
        name: "looped",
        knob: |w| &mut w.looped,
        applies: |b| b.may_nest(),
        build: |b, c| b.stmt_looped(c),
    },
];

/// A catch clause being planned: its kind (0 `catch`, 1 `catch_ref`, 2 `catch_all`, 3
/// `catch_all_ref`), tag, and the label position it targets.
struct Clause {
    kind: u8,
    tag: u32,
    target: usize,
}

/// Builds the body of one function of a [`Layout`].
pub struct FuncBuilder<'a> {
    layout: &'a Layout,
    types: &'a mut Types,
    cfg: &'a ScenarioConfig,
    /// The function's own index.
    index: u32,
    params: Vec<Ty>,
    results: Vec<Ty>,
    /// Declared locals (indices follow the parameters).
    locals: Vec<Ty>,
    /// Locals no statement may write (loop counters).
    reserved: Vec<u32>,
    /// The local that addresses and guards derive from (an `i64` parameter), if any.
    addr_local: Option<u32>,
    /// The local that selector guards test bits of (an `i32` parameter), if any.
    sel_local: Option<u32>,
    body: Vec<I<'static>>,
    labels: Vec<Label>,
    depth: u32,
    /// Statements still allowed in this function.
    stmts_left: u32,
}

impl<'a> FuncBuilder<'a> {
    /// A builder for function `index` of `layout`, with two scratch locals of every type.
    pub fn new(
        layout: &'a Layout,
        types: &'a mut Types,
        cfg: &'a ScenarioConfig,
        index: u32,
    ) -> FuncBuilder<'a> {
        let sig = layout.sig_of(index);
        let params = sig.params.clone();
        let results = sig.results.clone();
        let mut locals = Vec::new();
        for ty in Ty::ALL {
            locals.push(ty);
            locals.push(ty);
        }
        let sel_local = params.iter().position(|&t| t == Ty::I32).map(|i| i as u32);
        let addr_local = params.iter().position(|&t| t == Ty::I64).map(|i| i as u32);
        FuncBuilder {
            layout,
            types,
            cfg,
            index,
            labels: vec![Label {
                kind: LabelKind::Func,
                types: results.clone(),
            }],
            params,
            results,
            locals,
            reserved: Vec::new(),
            addr_local,
            sel_local,
            body: Vec::new(),
            depth: 0,
            stmts_left: cfg.stmts_per_func,
        }
    }

    /// The finished function: locals and body (the caller has emitted the final `end`).
    pub fn finish(self) -> Function {
        let mut f = Function::new_with_locals_types(self.locals.iter().map(|t| t.encoder()));
        for i in &self.body {
            f.instruction(i);
        }
        f
    }

    /// Emits one instruction.
    pub fn emit(&mut self, i: I<'static>) {
        self.body.push(i);
    }

    fn open(&mut self, i: I<'static>, kind: LabelKind, types: Vec<Ty>) {
        self.emit(i);
        self.labels.push(Label { kind, types });
    }

    fn close(&mut self) {
        self.emit(I::End);
        self.labels.pop();
    }

    /// The relative depth of the label at stack position `pos`.
    fn depth_to(&self, pos: usize) -> u32 {
        (self.labels.len() - 1 - pos) as u32
    }

    /// Locals (parameters included) of type `ty` that statements may write.
    fn locals_of(&self, ty: Ty) -> Vec<u32> {
        self.params
            .iter()
            .chain(&self.locals)
            .enumerate()
            .filter(|&(i, &t)| t == ty && !self.reserved.contains(&(i as u32)))
            .map(|(i, _)| i as u32)
            .collect()
    }

    fn local_of(&mut self, c: &mut Choices, ty: Ty) -> u32 {
        let all = self.locals_of(ty);
        *c.pick(&all)
    }

    fn new_local(&mut self, ty: Ty) -> u32 {
        self.locals.push(ty);
        (self.params.len() + self.locals.len() - 1) as u32
    }

    // ---------------------------------------------------------------------------------------
    // Prologue, epilogue, whole functions.

    /// The budget prologue of a web function: once the budget global is spent, return zeros;
    /// otherwise decrement it. Bounds recursion and run time (knob `budget`).
    pub fn budget_prologue(&mut self) {
        let Some(b) = self.layout.global(Role::Budget) else {
            return;
        };
        self.emit(I::GlobalGet(b));
        self.emit(I::I32Eqz);
        self.emit(I::If(BlockType::Empty));
        for t in self.results.clone() {
            self.zero(t);
        }
        self.emit(I::Return);
        self.emit(I::End);
        self.emit(I::GlobalGet(b));
        self.emit(I::I32Const(1));
        self.emit(I::I32Sub);
        self.emit(I::GlobalSet(b));
    }

    /// Statements until the function's statement allowance is spent.
    pub fn statements(&mut self, c: &mut Choices) {
        while self.stmts_left > 0 {
            self.stmt(c);
        }
    }

    /// Pushes the function's results and ends the body.
    pub fn epilogue(&mut self, c: &mut Choices) {
        for t in self.results.clone() {
            self.value(c, t);
        }
        self.emit(I::End);
    }

    /// An entry's body: reset the budget, pass the parameters to `target`, end. With
    /// probability `catch_percent` the call runs inside a `try_table` whose handlers catch what
    /// escapes the web (across at least one frame) and may rethrow it to the host; the
    /// results are then kept in fresh locals (zeros when the call threw).
    pub fn entry_body(&mut self, c: &mut Choices, target: u32, catch_percent: u32) {
        if let Some(b) = self.layout.global(Role::Budget) {
            self.emit(I::I32Const(self.layout.budget as i32));
            self.emit(I::GlobalSet(b));
        }
        let params = self.params.len() as u32;
        if !c.chance(u64::from(catch_percent), 100) {
            for i in 0..params {
                self.emit(I::LocalGet(i));
            }
            self.emit(I::Call(target));
            self.emit(I::End);
            return;
        }
        let results = self.results.clone();
        let kept: Vec<u32> = results.iter().map(|&t| self.new_local(t)).collect();
        self.reserved.extend(&kept);
        self.try_table_around(c, &mut |b, _| {
            for i in 0..params {
                b.emit(I::LocalGet(i));
            }
            b.emit(I::Call(target));
            for &l in kept.iter().rev() {
                b.emit(I::LocalSet(l));
            }
        });
        for &l in &kept {
            self.emit(I::LocalGet(l));
        }
        self.emit(I::End);
    }

    /// The start function's body (knob `start`): reset the budget, write some state, call a
    /// web function with constant arguments under a `catch_all` (`Quiet`) or without any
    /// handler (`Throws`, which may also throw a tag directly).
    pub fn start_body(&mut self, c: &mut Choices, how: Start) {
        if let Some(b) = self.layout.global(Role::Budget) {
            self.emit(I::I32Const(self.layout.budget as i32));
            self.emit(I::GlobalSet(b));
        }
        self.stmt_global_write(c);
        // A store that may trap (then instantiation fails and the case is over) half the time.
        if !self.layout.mems.is_empty() && c.chance(1, 2) {
            self.stmt_store(c);
        }
        let callees = self.callees();
        let quiet = how == Start::Quiet;
        if quiet {
            self.open(I::Block(BlockType::Empty), LabelKind::Block, vec![]);
            self.open(
                I::TryTable(BlockType::Empty, Cow::Owned(vec![Catch::All { label: 0 }])),
                LabelKind::Try,
                vec![],
            );
        }
        if !callees.is_empty() && (quiet || c.chance(2, 3)) {
            let f = *c.pick(&callees);
            self.call_args(c, f);
            self.emit(I::Call(f));
            let results = self.layout.sig_of(f).results.clone();
            for _ in results {
                self.emit(I::Drop);
            }
        } else if !self.layout.tags.is_empty() {
            let t = c.below(self.layout.tags.len() as u64) as u32;
            for ty in self.layout.tags[t as usize].0.clone() {
                self.value(c, ty);
            }
            self.emit(I::Throw(t));
        }
        if quiet {
            self.close();
            self.close();
        }
        self.emit(I::End);
    }

    // ---------------------------------------------------------------------------------------
    // Statements.

    /// Whether blocks may nest one level deeper here (knob `max_depth`).
    fn may_nest(&self) -> bool {
        self.depth < self.cfg.max_depth
    }

    /// Whether the layout has a memory.
    fn has_memory(&self) -> bool {
        !self.layout.mems.is_empty()
    }

    /// Whether the layout has a table with elements.
    fn has_table_elements(&self) -> bool {
        self.layout
            .table
            .as_ref()
            .is_some_and(|t| !t.elements.is_empty())
    }

    /// One statement: a row of [`STATEMENTS`] that applies here, chosen by weight.
    pub fn stmt(&mut self, c: &mut Choices) {
        if self.stmts_left == 0 {
            return;
        }
        self.stmts_left -= 1;
        let weights: Vec<u32> = STATEMENTS
            .iter()
            .map(|row| {
                if (row.applies)(self) {
                    let mut w = self.cfg.weights;
                    *(row.knob)(&mut w)
                } else {
                    0
                }
            })
            .collect();
        if weights.iter().all(|&w| w == 0) {
            return;
        }
        (STATEMENTS[c.weighted(&weights)].build)(self, c);
    }

    /// A nested block of 1..=`block_len` statements, one level deeper.
    fn block(&mut self, c: &mut Choices) {
        self.depth += 1;
        for _ in 0..c.range32(1, self.cfg.block_len) {
            self.stmt(c);
        }
        self.depth -= 1;
    }

    /// `throw` of a random tag with a payload built from locals, globals, constants and
    /// loads, usually under a data-dependent guard (knob `unguarded_throw_percent`).
    pub fn stmt_throw(&mut self, c: &mut Choices) {
        let t = self.tag(c);
        let guarded = !c.chance(u64::from(self.cfg.unguarded_throw_percent), 100);
        if guarded {
            self.cond(c);
            self.open(I::If(BlockType::Empty), LabelKind::If, vec![]);
        }
        for ty in self.layout.tags[t as usize].0.clone() {
            self.value(c, ty);
        }
        self.emit(I::Throw(t));
        if guarded {
            self.close();
        }
    }

    /// A tag for a throw or a clause: tag 0 half of the time (so that `catch $t` clauses often
    /// match what is thrown), any tag otherwise (with `twin_tags`, tag 1 has tag 0's payload
    /// types but is a different tag, which a `catch` of tag 0 must not catch).
    fn tag(&self, c: &mut Choices) -> u32 {
        let n = self.layout.tags.len() as u64;
        if c.chance(1, 2) { 0 } else { c.below(n) as u32 }
    }

    /// Web functions this one may call: higher-indexed ones (the call graph stays acyclic),
    /// the next one first for a chain, any one for a back edge (knob `back_edge_percent`).
    fn callees(&self) -> Vec<u32> {
        let callable: Vec<u32> = (0..self.layout.funcs.len() as u32)
            .filter(|&f| self.layout.funcs[f as usize].callable)
            .collect();
        if !self.layout.funcs[self.index as usize].callable {
            return callable;
        }
        callable.into_iter().filter(|&f| f > self.index).collect()
    }

    fn pick_callee(&self, c: &mut Choices) -> Option<u32> {
        let forward = self.callees();
        let me_callable = self.layout.funcs[self.index as usize].callable;
        if me_callable && c.chance(u64::from(self.cfg.back_edge_percent), 100) {
            let all: Vec<u32> = (0..self.layout.funcs.len() as u32)
                .filter(|&f| self.layout.funcs[f as usize].callable)
                .collect();
            return Some(*c.pick(&all));
        }
        if forward.is_empty() {
            return None;
        }
        if self.cfg.shape == Shape::Chain && c.chance(3, 4) {
            return Some(forward[0]);
        }
        Some(*c.pick(&forward))
    }

    fn call_args(&mut self, c: &mut Choices, f: u32) {
        for ty in self.layout.sig_of(f).params.clone() {
            self.value(c, ty);
        }
    }

    /// Stores or drops values of `types` (the top of the stack, last type on top).
    fn consume(&mut self, c: &mut Choices, types: &[Ty]) {
        for &t in types.iter().rev() {
            if c.chance(3, 4) {
                let l = self.local_of(c, t);
                self.emit(I::LocalSet(l));
            } else {
                self.emit(I::Drop);
            }
        }
    }

    /// A direct `call` to a web function (see `callees`), results kept in locals.
    pub fn stmt_call(&mut self, c: &mut Choices) {
        let Some(f) = self.pick_callee(c) else {
            return;
        };
        self.call_args(c, f);
        self.emit(I::Call(f));
        let results = self.layout.sig_of(f).results.clone();
        self.consume(c, &results);
    }

    /// Pushes a table index (of the table's index type) for `call_indirect`: the slot of a
    /// function with signature `sig` (a correct call), a slot chosen by the selector modulo
    /// the element count (possibly a signature mismatch), or a slot past the elements (null
    /// or out of bounds).
    fn table_index(&mut self, c: &mut Choices, sig: usize) {
        let Some(table) = self.layout.table.clone() else {
            return;
        };
        let matching: Vec<u64> = table
            .elements
            .iter()
            .enumerate()
            .filter(|&(_, &f)| self.layout.funcs[f as usize].sig == sig)
            .map(|(i, _)| i as u64)
            .collect();
        let forward: Vec<u64> = matching
            .iter()
            .copied()
            .filter(|&i| table.elements[i as usize] > self.index)
            .collect();
        let slot = match c.below(10) {
            0..=6 if !forward.is_empty() => Some(*c.pick(&forward)),
            0..=6 if !matching.is_empty() => Some(*c.pick(&matching)),
            7 => Some(table.elements.len() as u64 + c.below(3)),
            _ => None,
        };
        match slot {
            Some(s) if table.table64 => self.emit(I::I64Const(s as i64)),
            Some(s) => self.emit(I::I32Const(s as i32)),
            None => {
                self.sel(c);
                self.emit(I::I32Const(table.elements.len() as i32));
                self.emit(I::I32RemU);
                if table.table64 {
                    self.emit(I::I64ExtendI32U);
                }
            }
        }
    }

    /// A `call_indirect` through the table (see `table_index`), results kept in locals.
    pub fn stmt_call_indirect(&mut self, c: &mut Choices) {
        let Some(table) = &self.layout.table else {
            return;
        };
        let f = *c.pick(&table.elements);
        let sig = self.layout.funcs[f as usize].sig;
        let s = self.layout.sigs[sig].clone();
        for ty in s.params.clone() {
            self.value(c, ty);
        }
        self.table_index(c, sig);
        self.emit(I::CallIndirect {
            type_index: s.type_index,
            table_index: 0,
        });
        self.consume(c, &s.results);
    }

    fn tail_candidates(&self) -> bool {
        self.layout
            .sigs
            .iter()
            .any(|s| s.results == self.results && self.layout.funcs.iter().any(|f| f.callable))
    }

    /// A guarded `return_call` to a web function with the same results, or a
    /// `return_call_indirect` through the table. Inside a `try_table` the tail call leaves
    /// the handler behind: what the callee throws is not caught here. Needs knob `tail_calls`.
    pub fn stmt_tail_call(&mut self, c: &mut Choices) {
        let l = self.layout;
        let direct: Vec<u32> = (0..l.funcs.len() as u32)
            .filter(|&f| {
                l.funcs[f as usize].callable
                    && l.sig_of(f).results == self.results
                    && (f > self.index || c.chance(u64::from(self.cfg.back_edge_percent), 100))
            })
            .collect();
        let indirect: Vec<usize> = match &l.table {
            Some(t) => t
                .elements
                .iter()
                .map(|&f| l.funcs[f as usize].sig)
                .filter(|&s| l.sigs[s].results == self.results)
                .collect(),
            None => Vec::new(),
        };
        if direct.is_empty() && indirect.is_empty() {
            return;
        }
        self.cond(c);
        self.open(I::If(BlockType::Empty), LabelKind::If, vec![]);
        if !direct.is_empty() && (indirect.is_empty() || c.chance(1, 2)) {
            let f = *c.pick(&direct);
            self.call_args(c, f);
            self.emit(I::ReturnCall(f));
        } else {
            let sig = *c.pick(&indirect);
            for ty in l.sigs[sig].params.clone() {
                self.value(c, ty);
            }
            self.table_index(c, sig);
            self.emit(I::ReturnCallIndirect {
                type_index: l.sigs[sig].type_index,
                table_index: 0,
            });
        }
        self.close();
    }

    /// The values a clause pushes.
    fn clause_types(&self, kind: u8, tag: u32) -> Vec<Ty> {
        let mut types = match kind {
            0 | 1 => self.layout.tags[tag as usize].0.clone(),
            _ => Vec::new(),
        };
        if kind == 1 || kind == 3 {
            types.push(Ty::Exn);
        }
        types
    }

    /// A `try_table` whose clauses (1..=`max_clauses`, kinds and order random, so a
    /// `catch_all` may shadow a later `catch`) branch to handler blocks of their own or to
    /// enclosing labels of the same types (knob `outer_target_percent`):
    ///
    /// ```text
    /// block $exit
    ///   block $hN (result ...) ... block $h1 (result ...)
    ///     try_table (catch $t $h1) (catch_all_ref $hN) ... body ... end
    ///     br $exit
    ///   end  ;; handler 1: keep the payload, maybe stash or rethrow the exnref, statements
    ///   br $exit
    ///   ...
    /// end
    /// ```
    pub fn stmt_try_table(&mut self, c: &mut Choices) {
        let call_first = c.chance(u64::from(self.cfg.call_in_try_percent), 100);
        self.try_table_around(c, &mut |b, c| {
            if call_first {
                b.call_that_may_throw(c);
            }
            b.block(c);
        });
    }

    /// A call to a web function (direct, or through the table when there is one), so that
    /// what the callee throws unwinds at least one frame to reach the caller's handlers.
    fn call_that_may_throw(&mut self, c: &mut Choices) {
        if self.has_table_elements() && c.chance(1, 4) {
            self.stmt_call_indirect(c);
        } else {
            self.stmt_call(c);
        }
    }

    /// A `try_table` (see [`FuncBuilder::stmt_try_table`]) whose body `body` emits.
    fn try_table_around(&mut self, c: &mut Choices, body: &mut dyn FnMut(&mut Self, &mut Choices)) {
        let ntags = self.layout.tags.len() as u64;
        let n = c.range32(1, self.cfg.max_clauses);
        let mut planned: Vec<(u8, u32, Vec<Ty>)> = Vec::new();
        for _ in 0..n {
            let kind = if ntags == 0 {
                2 + c.below(2) as u8
            } else {
                c.below(4) as u8
            };
            let tag = self.tag(c);
            let types = self.clause_types(kind, tag);
            planned.push((kind, tag, types));
        }
        // Targets: an enclosing label (position in `labels`) or a new handler block.
        enum Target {
            Outer(usize),
            Handler(usize),
        }
        let mut handlers: Vec<Vec<Ty>> = Vec::new();
        let mut targets = Vec::new();
        for (_, _, types) in &planned {
            let outer: Vec<usize> = (0..self.labels.len())
                .filter(|&p| {
                    self.labels[p].kind != LabelKind::Loop && self.labels[p].types == *types
                })
                .collect();
            let shared = handlers.iter().position(|h| h == types);
            let target =
                if !outer.is_empty() && c.chance(u64::from(self.cfg.outer_target_percent), 100) {
                    Target::Outer(*c.pick(&outer))
                } else if let Some(h) = shared.filter(|_| c.chance(1, 2)) {
                    Target::Handler(h)
                } else {
                    handlers.push(types.clone());
                    Target::Handler(handlers.len() - 1)
                };
            targets.push(target);
        }

        self.open(I::Block(BlockType::Empty), LabelKind::Block, vec![]);
        let exit = self.labels.len() - 1;
        let mut positions = vec![0; handlers.len()];
        for h in (0..handlers.len()).rev() {
            let bt = self.types.block(&handlers[h]);
            self.open(I::Block(bt), LabelKind::Block, handlers[h].clone());
            positions[h] = self.labels.len() - 1;
        }
        let clauses: Vec<Clause> = planned
            .iter()
            .zip(&targets)
            .map(|((kind, tag, _), target)| Clause {
                kind: *kind,
                tag: *tag,
                target: match target {
                    Target::Outer(p) => *p,
                    Target::Handler(h) => positions[*h],
                },
            })
            .collect();
        let catches: Vec<Catch> = clauses
            .iter()
            .map(|cl| {
                let label = self.depth_to(cl.target);
                match cl.kind {
                    0 => Catch::One { tag: cl.tag, label },
                    1 => Catch::OneRef { tag: cl.tag, label },
                    2 => Catch::All { label },
                    _ => Catch::AllRef { label },
                }
            })
            .collect();
        self.open(
            I::TryTable(BlockType::Empty, Cow::Owned(catches)),
            LabelKind::Try,
            vec![],
        );
        body(self, c);
        self.close();
        self.emit(I::Br(self.depth_to(exit)));
        for types in handlers {
            self.close();
            self.handler(c, &types);
            self.emit(I::Br(self.depth_to(exit)));
        }
        self.close();
    }

    /// A handler's code, entered with `types` on the stack: keep the payload in locals, count
    /// the catch, maybe stash the exnref in a global, maybe rethrow it at once (knob
    /// `rethrow_percent`), else run a few statements.
    fn handler(&mut self, c: &mut Choices, types: &[Ty]) {
        let exn = if types.last() == Some(&Ty::Exn) {
            let l = self.local_of(c, Ty::Exn);
            self.emit(I::LocalSet(l));
            self.consume(c, &types[..types.len() - 1]);
            Some(l)
        } else {
            self.consume(c, types);
            None
        };
        if let Some(counter) = self.layout.global(Role::Counter) {
            self.emit(I::GlobalGet(counter));
            self.emit(I::I32Const(1));
            self.emit(I::I32Add);
            self.emit(I::GlobalSet(counter));
        }
        if let Some(l) = exn {
            let globals = self.layout.scratch(Ty::Exn);
            if !globals.is_empty() && c.chance(1, 3) {
                self.emit(I::LocalGet(l));
                let g = *c.pick(&globals);
                self.emit(I::GlobalSet(g));
            }
            if c.chance(u64::from(self.cfg.rethrow_percent), 100) {
                self.emit(I::LocalGet(l));
                self.emit(I::ThrowRef);
                return;
            }
        }
        if self.depth < self.cfg.max_depth && c.chance(1, 2) {
            self.block(c);
        }
    }

    /// `throw_ref` of an exnref from a local or a global, under a null check unless knob
    /// `unchecked_throw_ref_percent` says otherwise (`throw_ref` of null traps).
    pub fn stmt_throw_ref(&mut self, c: &mut Choices) {
        let globals = self.layout.scratch(Ty::Exn);
        let get = if !globals.is_empty() && c.chance(1, 2) {
            I::GlobalGet(*c.pick(&globals))
        } else {
            I::LocalGet(self.local_of(c, Ty::Exn))
        };
        if c.chance(u64::from(self.cfg.unchecked_throw_ref_percent), 100) {
            self.emit(get);
            self.emit(I::ThrowRef);
            return;
        }
        self.emit(get.clone());
        self.emit(I::RefIsNull);
        self.emit(I::I32Eqz);
        self.open(I::If(BlockType::Empty), LabelKind::If, vec![]);
        self.emit(get);
        self.emit(I::ThrowRef);
        self.close();
    }

    /// Moves an exnref between a local and an exnref global, so exceptions caught in one
    /// function (or call) are rethrown in another.
    pub fn stmt_stash(&mut self, c: &mut Choices) {
        let globals = self.layout.scratch(Ty::Exn);
        if globals.is_empty() {
            return;
        }
        let g = *c.pick(&globals);
        let l = self.local_of(c, Ty::Exn);
        if c.chance(1, 2) {
            self.emit(I::LocalGet(l));
            self.emit(I::GlobalSet(g));
        } else {
            self.emit(I::GlobalGet(g));
            self.emit(I::LocalSet(l));
        }
    }

    /// A write to a scratch global or the counter: state that persists after a later throw
    /// or trap and across calls.
    pub fn stmt_global_write(&mut self, c: &mut Choices) {
        let candidates: Vec<u32> = (0..self.layout.globals.len() as u32)
            .filter(|&g| {
                matches!(
                    self.layout.globals[g as usize].role,
                    Role::Scratch | Role::Counter
                )
            })
            .collect();
        if candidates.is_empty() {
            return;
        }
        let g = *c.pick(&candidates);
        let ty = self.layout.globals[g as usize].ty;
        self.value(c, ty);
        self.emit(I::GlobalSet(g));
    }

    /// A store of a value to an address of [`FuncBuilder::addr`] with an offset of
    /// [`FuncBuilder::memarg`]: in bounds, at the bound, across it, near 2^32 or 2^64.
    pub fn stmt_store(&mut self, c: &mut Choices) {
        let m = c.below(self.layout.mems.len() as u64) as u32;
        let ty = *c.pick(&[Ty::I32, Ty::I64, Ty::F32, Ty::F64]);
        let (width, op) = store_op(c, ty);
        self.addr(c, m, width);
        self.value(c, ty);
        let arg = self.memarg(c, m, width);
        self.emit(op(arg));
    }

    /// A load into a local (see `stmt_store` for the addresses).
    pub fn stmt_load(&mut self, c: &mut Choices) {
        let ty = *c.pick(&[Ty::I32, Ty::I64, Ty::F32, Ty::F64]);
        self.load(c, ty);
        let l = self.local_of(c, ty);
        self.emit(I::LocalSet(l));
    }

    fn load(&mut self, c: &mut Choices, ty: Ty) {
        let m = c.below(self.layout.mems.len() as u64) as u32;
        let (width, op) = load_op(c, ty);
        self.addr(c, m, width);
        let arg = self.memarg(c, m, width);
        self.emit(op(arg));
    }

    /// Pushes a length of the given index type for a bulk operation: zero, small, about a page,
    /// or near the memory's initial size; rarely an interesting large value. Lengths stay
    /// mostly below a few MiB because wasmtime charges fuel per byte of a bulk operation
    /// before its bounds check, so a huge length exhausts fuel (and poisons the case) instead
    /// of trapping; out-of-bounds bulk operations come from addresses near the bound instead.
    fn len(&mut self, c: &mut Choices, m: u32, ty: Ty) {
        let mem = self.layout.mems[m as usize];
        let v = match c.below(16) {
            0..=5 => *c.pick(&[0, 1, 8, 16, 100]),
            6..=9 => *c.pick(&[4096, 65535, 65536, 65537, 131072]),
            10..=14 => addresses::near(c, mem.min_bytes(), 0),
            _ => addresses::interesting(c, mem.min_bytes(), ty == Ty::I64, 1),
        };
        self.int(ty, v);
    }

    /// `memory.fill`, `memory.copy` (possibly between memories of different index types),
    /// `memory.init` from a passive segment, or `data.drop`. Out-of-bounds bulk operations
    /// trap before writing anything.
    pub fn stmt_bulk(&mut self, c: &mut Choices) {
        let nmems = self.layout.mems.len() as u64;
        let d = c.below(nmems) as u32;
        let passive = self.layout.passive_data.len() as u64;
        match c.below(if passive > 0 { 5 } else { 2 }) {
            0 => {
                self.addr(c, d, 1);
                self.value(c, Ty::I32);
                let ty = self.layout.mems[d as usize].addr();
                self.len(c, d, ty);
                self.emit(I::MemoryFill(d));
            }
            1 => {
                let s = c.below(nmems) as u32;
                self.addr(c, d, 1);
                self.addr(c, s, 1);
                let both64 =
                    self.layout.mems[d as usize].mem64 && self.layout.mems[s as usize].mem64;
                self.len(c, s, if both64 { Ty::I64 } else { Ty::I32 });
                self.emit(I::MemoryCopy {
                    src_mem: s,
                    dst_mem: d,
                });
            }
            2 | 3 => {
                let data = self.layout.passive_base() + c.below(passive) as u32;
                let size = self.layout.passive_data[(data - self.layout.passive_base()) as usize]
                    .len() as u64;
                self.addr(c, d, 1);
                self.emit(I::I32Const(c.range(0, size + 2) as i32));
                self.emit(I::I32Const(c.range(0, size + 2) as i32));
                self.emit(I::MemoryInit {
                    mem: d,
                    data_index: data,
                });
            }
            _ => {
                let data = self.layout.passive_base() + c.below(passive) as u32;
                self.emit(I::DataDrop(data));
            }
        }
    }

    /// `memory.grow`, result kept in the memory's grow global: a small grow while the memory is
    /// below `grow_cap_pages`, a grow to exactly the declared maximum (when small), or a grow
    /// that must fail (past the maximum, or by 2^48 / -1 pages).
    pub fn stmt_grow(&mut self, c: &mut Choices) {
        let m = c.below(self.layout.mems.len() as u64) as u32;
        let mem = self.layout.mems[m as usize];
        let ty = mem.addr();
        let Some(g) = self.layout.global(Role::Grow(m)) else {
            return;
        };
        let cap = self.cfg.grow_cap_pages;
        let implicit_max = if mem.mem64 { 1 << 48 } else { 1 << 16 };
        let max = mem.max.unwrap_or(implicit_max);
        match c.below(4) {
            0 | 1 => {
                self.emit(I::MemorySize(m));
                self.int(ty, cap);
                self.emit(if mem.mem64 { I::I64LtU } else { I::I32LtU });
                self.open(I::If(BlockType::Empty), LabelKind::If, vec![]);
                self.int(ty, c.range(0, 3));
                self.emit(I::MemoryGrow(m));
                self.emit(I::GlobalSet(g));
                self.close();
            }
            2 => {
                // To the maximum plus one page: always fails. To the maximum: succeeds
                // when that is small.
                let to = if max <= cap && c.chance(1, 2) {
                    max
                } else {
                    max + 1
                };
                self.int(ty, to);
                self.emit(I::MemorySize(m));
                self.emit(if mem.mem64 { I::I64Sub } else { I::I32Sub });
                self.emit(I::MemoryGrow(m));
                self.emit(I::GlobalSet(g));
            }
            _ => {
                let delta = if mem.mem64 {
                    *c.pick(&[u64::MAX, 1 << 48, (1 << 48) + 1])
                } else {
                    *c.pick(&[u64::from(u32::MAX), 65537])
                };
                self.int(ty, delta);
                self.emit(I::MemoryGrow(m));
                self.emit(I::GlobalSet(g));
            }
        }
    }

    /// A trap, usually under a guard (knob `unguarded_trap_percent`): `unreachable`, an
    /// integer division by a value that may be zero, a load far out of bounds, an indirect
    /// call past the table, `throw_ref` of null, a NaN truncation. Traps are never caught,
    /// even inside a `try_table` with `catch_all`.
    pub fn stmt_trap(&mut self, c: &mut Choices) {
        let guarded = !c.chance(u64::from(self.cfg.unguarded_trap_percent), 100);
        if guarded {
            self.cond(c);
            self.open(I::If(BlockType::Empty), LabelKind::If, vec![]);
        }
        match c.below(6) {
            0 => self.emit(I::Unreachable),
            1 => {
                self.value(c, Ty::I32);
                self.sel(c);
                self.emit(if c.chance(1, 2) {
                    I::I32DivU
                } else {
                    I::I32RemS
                });
                self.emit(I::Drop);
            }
            2 if !self.layout.mems.is_empty() => {
                let m = c.below(self.layout.mems.len() as u64) as u32;
                let mem = self.layout.mems[m as usize];
                self.int(
                    mem.addr(),
                    if mem.mem64 {
                        u64::MAX - 3
                    } else {
                        u64::from(u32::MAX)
                    },
                );
                let arg = MemArg {
                    offset: 0,
                    align: 0,
                    target: MemArgTarget::Memory(m),
                    ordering: None,
                };
                self.emit(I::I32Load8U(arg));
                self.emit(I::Drop);
            }
            3 if self.layout.table.is_some() => {
                let table = self.layout.table.clone().unwrap_or_else(|| unreachable!());
                let sig = &self.layout.sigs[0];
                for ty in sig.params.clone() {
                    self.value(c, ty);
                }
                self.int(
                    if table.table64 { Ty::I64 } else { Ty::I32 },
                    table.size + c.below(2),
                );
                self.emit(I::CallIndirect {
                    type_index: sig.type_index,
                    table_index: 0,
                });
                for _ in 0..sig.results.len() {
                    self.emit(I::Drop);
                }
            }
            4 => {
                self.emit(I::RefNull(EXN_HEAP));
                self.emit(I::ThrowRef);
            }
            _ => {
                self.emit(I::F32Const(Ieee32::new(0x7fc0_0000)));
                self.emit(I::I32TruncF32S);
                self.emit(I::Drop);
            }
        }
        if guarded {
            self.close();
        }
    }

    /// `if`/`else` on a data-dependent condition (see `cond`).
    pub fn stmt_branch(&mut self, c: &mut Choices) {
        self.cond(c);
        self.open(I::If(BlockType::Empty), LabelKind::If, vec![]);
        self.block(c);
        if c.chance(1, 2) {
            self.emit(I::Else);
            self.block(c);
        }
        self.close();
    }

    /// A `br_table` switch over two bits of the selector, 2..=4 cases and a default.
    pub fn stmt_switch(&mut self, c: &mut Choices) {
        let n = c.range32(2, 4);
        self.open(I::Block(BlockType::Empty), LabelKind::Block, vec![]);
        for _ in 0..n {
            self.open(I::Block(BlockType::Empty), LabelKind::Block, vec![]);
        }
        self.sel(c);
        self.emit(I::I32Const(c.below(30) as i32));
        self.emit(I::I32ShrU);
        self.emit(I::I32Const(3));
        self.emit(I::I32And);
        let targets: Vec<u32> = (0..n).collect();
        self.emit(I::BrTable(Cow::Owned(targets), n));
        for k in 0..n {
            self.close();
            self.block(c);
            self.emit(I::Br(n - 1 - k));
        }
        self.close();
    }

    /// A guarded `br` to an enclosing label (leaving any `try_table` in between, whose
    /// handlers are then no longer active) or a guarded `return`.
    pub fn stmt_exit(&mut self, c: &mut Choices) {
        self.cond(c);
        self.open(I::If(BlockType::Empty), LabelKind::If, vec![]);
        let targets: Vec<usize> = (0..self.labels.len() - 1)
            .filter(|&p| self.labels[p].kind != LabelKind::Loop)
            .collect();
        if targets.is_empty() || c.chance(1, 3) {
            for t in self.results.clone() {
                self.value(c, t);
            }
            self.emit(I::Return);
        } else {
            let p = *c.pick(&targets);
            for t in self.labels[p].types.clone() {
                self.value(c, t);
            }
            self.emit(I::Br(self.depth_to(p)));
        }
        self.close();
    }

    /// A loop running 1..=3 times on a counter no other statement writes; its body may catch,
    /// throw and call like any block.
    pub fn stmt_looped(&mut self, c: &mut Choices) {
        let counter = self.new_local(Ty::I32);
        self.reserved.push(counter);
        self.emit(I::I32Const(c.range(1, 3) as i32));
        self.emit(I::LocalSet(counter));
        self.open(I::Loop(BlockType::Empty), LabelKind::Loop, vec![]);
        self.block(c);
        self.emit(I::LocalGet(counter));
        self.emit(I::I32Const(1));
        self.emit(I::I32Sub);
        self.emit(I::LocalTee(counter));
        self.emit(I::BrIf(0));
        self.close();
    }

    // ---------------------------------------------------------------------------------------
    // Expressions.

    /// Pushes the selector (an `i32` parameter), or another `i32` value without one.
    fn sel(&mut self, c: &mut Choices) {
        match self.sel_local {
            Some(l) if c.chance(3, 4) => self.emit(I::LocalGet(l)),
            _ => self.value(c, Ty::I32),
        }
    }

    /// Pushes an `i32` condition that depends on the arguments or on state: a selector bit
    /// (set or clear), a comparison of the address parameter with a boundary value, a bit of
    /// the handler counter, or an arbitrary value.
    pub fn cond(&mut self, c: &mut Choices) {
        match c.below(6) {
            0..=2 => {
                self.sel(c);
                self.emit(I::I32Const(1 << c.below(32)));
                self.emit(I::I32And);
                if c.chance(1, 2) {
                    self.emit(I::I32Eqz);
                }
            }
            3 if self.addr_local.is_some() => {
                self.emit(I::LocalGet(self.addr_local.unwrap_or_default()));
                self.emit(I::I64Const(*c.pick(I64_BOUNDARIES)));
                self.emit(c.pick(&[I::I64LtU, I::I64GtS, I::I64Eq, I::I64Ne]).clone());
            }
            4 if self.layout.global(Role::Counter).is_some() => {
                self.emit(I::GlobalGet(
                    self.layout.global(Role::Counter).unwrap_or_default(),
                ));
                self.emit(I::I32Const(1 << c.below(3)));
                self.emit(I::I32And);
                if c.chance(1, 2) {
                    self.emit(I::I32Eqz);
                }
            }
            _ => self.value(c, Ty::I32),
        }
    }

    /// Pushes an integer constant of type `ty` (`I32` or `I64`) from 64 bits.
    fn int(&mut self, ty: Ty, v: u64) {
        if ty == Ty::I64 {
            self.emit(I::I64Const(v as i64));
        } else {
            self.emit(I::I32Const(v as u32 as i32));
        }
    }

    /// Pushes the zero (or null) of `ty`.
    fn zero(&mut self, ty: Ty) {
        self.emit(match ty {
            Ty::I32 => I::I32Const(0),
            Ty::I64 => I::I64Const(0),
            Ty::F32 => I::F32Const(Ieee32::new(0)),
            Ty::F64 => I::F64Const(Ieee64::new(0)),
            Ty::Extern => I::RefNull(HeapType::EXTERN),
            Ty::Exn => I::RefNull(EXN_HEAP),
        });
    }

    /// Pushes an address for an access of `width` bytes to memory `m`: an interesting
    /// constant (see [`addresses::interesting`]), the current bound computed from
    /// `memory.size` (so it follows grows) minus `width` plus -16..=16, the address
    /// parameter as is or masked, or a small constant.
    pub fn addr(&mut self, c: &mut Choices, m: u32, width: u64) {
        let mem = self.layout.mems[m as usize];
        let ty = mem.addr();
        let a64 = mem.mem64;
        match c.below(6) {
            0 => {
                let v = addresses::interesting(c, mem.min_bytes(), a64, width);
                self.int(ty, v);
            }
            1 => {
                self.emit(I::MemorySize(m));
                self.int(ty, 16);
                self.emit(if a64 { I::I64Shl } else { I::I32Shl });
                let back = width.wrapping_sub(c.below(33)).wrapping_add(16);
                self.int(ty, back);
                self.emit(if a64 { I::I64Sub } else { I::I32Sub });
            }
            2 | 3 if self.addr_local.is_some() => {
                self.emit(I::LocalGet(self.addr_local.unwrap_or_default()));
                if c.chance(1, 2) {
                    self.emit(I::I64Const(*c.pick(&[0xff, 0xffff, 0x1_ffff])));
                    self.emit(I::I64And);
                }
                if !a64 {
                    self.emit(I::I32WrapI64);
                }
            }
            _ => {
                let v = c.below(65);
                self.int(ty, v);
            }
        }
    }

    /// A memory immediate for memory `m`: offset 0 half of the time, else small or
    /// interesting (near the bound, 2^32, 2^64); alignment up to natural.
    pub fn memarg(&mut self, c: &mut Choices, m: u32, width: u64) -> MemArg {
        let mem = self.layout.mems[m as usize];
        let offset = match c.below(10) {
            0..=4 => 0,
            5 | 6 => c.range(1, 64),
            _ => addresses::interesting(c, mem.min_bytes(), mem.mem64, width),
        };
        let natural = width.trailing_zeros();
        MemArg {
            offset,
            align: c.range32(0, natural),
            target: MemArgTarget::Memory(m),
            ordering: None,
        }
    }

    /// Pushes a value of `ty`.
    pub fn value(&mut self, c: &mut Choices, ty: Ty) {
        self.value_at(c, ty, 0);
    }

    /// Pushes a value of `ty` from a constant (boundary values, NaN bit patterns), a local, a
    /// global, a conversion, an operator over smaller values, or a load. No floating-point
    /// arithmetic: NaN payloads stay deterministic without canonicalization.
    fn value_at(&mut self, c: &mut Choices, ty: Ty, depth: u32) {
        let leaf = depth >= 2;
        let mem = !self.layout.mems.is_empty();
        let scratch = self.layout.scratch(ty);
        let choice = c.below(if leaf { 4 } else { 7 });
        match (ty, choice) {
            (_, 1 | 2) => {
                let l = self.local_of(c, ty);
                self.emit(I::LocalGet(l));
            }
            (_, 3) if !scratch.is_empty() => self.emit(I::GlobalGet(*c.pick(&scratch))),
            (Ty::I32 | Ty::I64 | Ty::F32 | Ty::F64, 6) if mem => self.load(c, ty),
            (Ty::I32, 4) => {
                self.value_at(c, Ty::I32, depth + 1);
                self.value_at(c, Ty::I32, depth + 1);
                self.emit(
                    c.pick(&[
                        I::I32Add,
                        I::I32Sub,
                        I::I32Mul,
                        I::I32And,
                        I::I32Or,
                        I::I32Xor,
                        I::I32Shl,
                        I::I32ShrU,
                        I::I32ShrS,
                        I::I32Rotl,
                        I::I32Eq,
                        I::I32LtU,
                        I::I32GtS,
                    ])
                    .clone(),
                );
            }
            (Ty::I32, 5) => {
                self.value_at(c, Ty::I64, depth + 1);
                self.emit(I::I32WrapI64);
            }
            (Ty::I64, 4) => {
                self.value_at(c, Ty::I64, depth + 1);
                self.value_at(c, Ty::I64, depth + 1);
                self.emit(
                    c.pick(&[
                        I::I64Add,
                        I::I64Sub,
                        I::I64Mul,
                        I::I64And,
                        I::I64Or,
                        I::I64Xor,
                        I::I64Shl,
                        I::I64ShrU,
                        I::I64Rotr,
                    ])
                    .clone(),
                );
            }
            (Ty::I64, 5) => {
                self.value_at(c, Ty::I32, depth + 1);
                self.emit(if c.chance(1, 2) {
                    I::I64ExtendI32S
                } else {
                    I::I64ExtendI32U
                });
            }
            (Ty::F32, 4 | 5) => {
                self.value_at(c, Ty::I32, depth + 1);
                self.emit(if choice == 4 {
                    I::F32ReinterpretI32
                } else {
                    I::F32ConvertI32S
                });
            }
            (Ty::F64, 4 | 5) => {
                self.value_at(c, Ty::I64, depth + 1);
                self.emit(if choice == 4 {
                    I::F64ReinterpretI64
                } else {
                    I::F64ConvertI64S
                });
            }
            (Ty::I32, _) => {
                let v = if c.chance(3, 4) {
                    *c.pick(I32_BOUNDARIES)
                } else {
                    c.bits() as i32
                };
                self.emit(I::I32Const(v));
            }
            (Ty::I64, _) => {
                let v = if c.chance(3, 4) {
                    *c.pick(I64_BOUNDARIES)
                } else {
                    c.bits() as i64
                };
                self.emit(I::I64Const(v));
            }
            (Ty::F32, _) => self.emit(I::F32Const(Ieee32::new(*c.pick(F32_BOUNDARIES)))),
            (Ty::F64, _) => self.emit(I::F64Const(Ieee64::new(*c.pick(F64_BOUNDARIES)))),
            (Ty::Extern, _) => self.emit(I::RefNull(HeapType::EXTERN)),
            (Ty::Exn, _) => self.emit(I::RefNull(EXN_HEAP)),
        }
    }
}

/// A store instruction for `ty` of a random width: (width in bytes, constructor).
fn store_op(c: &mut Choices, ty: Ty) -> (u64, fn(MemArg) -> I<'static>) {
    match ty {
        Ty::I32 => *c.pick(&[
            (4, I::I32Store as fn(MemArg) -> I<'static>),
            (1, I::I32Store8),
            (2, I::I32Store16),
        ]),
        Ty::I64 => *c.pick(&[
            (8, I::I64Store as fn(MemArg) -> I<'static>),
            (1, I::I64Store8),
            (2, I::I64Store16),
            (4, I::I64Store32),
        ]),
        Ty::F32 => (4, I::F32Store),
        _ => (8, I::F64Store),
    }
}

/// A load instruction producing `ty` of a random width: (width in bytes, constructor).
fn load_op(c: &mut Choices, ty: Ty) -> (u64, fn(MemArg) -> I<'static>) {
    match ty {
        Ty::I32 => *c.pick(&[
            (4, I::I32Load as fn(MemArg) -> I<'static>),
            (1, I::I32Load8S),
            (1, I::I32Load8U),
            (2, I::I32Load16S),
            (2, I::I32Load16U),
        ]),
        Ty::I64 => *c.pick(&[
            (8, I::I64Load as fn(MemArg) -> I<'static>),
            (1, I::I64Load8U),
            (2, I::I64Load16S),
            (4, I::I64Load32S),
            (4, I::I64Load32U),
        ]),
        Ty::F32 => (4, I::F32Load),
        _ => (8, I::F64Load),
    }
}

/// Whether a table choice declares a table.
pub fn has_table(t: TableChoice) -> bool {
    t != TableChoice::None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::scenario::config::{MemChoice, ScenarioConfig};
    use crate::generate::scenario::web;

    /// Knobs under which every statement applies somewhere: memories of both index types,
    /// passive data, tags, a table, tail calls, exnref globals.
    fn rich() -> ScenarioConfig {
        ScenarioConfig {
            memories: vec![
                MemChoice {
                    mem64: true,
                    min: 1,
                    max: Some(4),
                },
                MemChoice {
                    mem64: false,
                    min: 1,
                    max: None,
                },
            ],
            passive_data: 1,
            ..ScenarioConfig::default()
        }
    }

    #[test]
    fn every_statement_row_alone_builds_valid_modules() {
        let names: Vec<&str> = STATEMENTS.iter().map(|r| r.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "row names are distinct");
        for row in STATEMENTS {
            let mut cfg = rich();
            for other in STATEMENTS {
                *(other.knob)(&mut cfg.weights) = 0;
            }
            *(row.knob)(&mut cfg.weights) = 1;
            for seed in 0..40u64 {
                let data: Vec<u8> = (0..4096u64)
                    .map(|i| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ seed.wrapping_mul(31)) as u8)
                    .map(|b| b.rotate_left(seed as u32 % 8))
                    .collect();
                let s = web::build(&mut Choices::new(&data), &cfg);
                if let Err(e) = crate::generate::validate(&s.wasm) {
                    panic!("row {}: seed {seed}: {e}", row.name);
                }
            }
        }
    }
}
