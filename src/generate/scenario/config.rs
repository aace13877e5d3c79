//! `ScenarioConfig`: the knobs of the scenario generators, each documented with its default and
//! the knobs it interacts with, and how each scenario flavour chooses them per case.

use crate::generate::choices::Choices;
use std::fmt::Write as _;

/// The shape of the call graph between web functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Function `i` calls mostly function `i + 1`: long chains, deep unwinding.
    Chain,
    /// Function `i` calls any function `j > i`: wide webs, many handlers on the way.
    Web,
}

/// What the start function does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// There is no start function.
    None,
    /// It writes state and calls a web function under a `catch_all`.
    Quiet,
    /// It calls a web function or throws without any handler, so instantiation itself may end
    /// in an exception.
    Throws,
}

/// A memory to declare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemChoice {
    /// Whether its index type is `i64`.
    pub mem64: bool,
    /// Minimum size in pages.
    pub min: u64,
    /// Declared maximum in pages. For 64-bit memories it may exceed 65536 (4 GiB).
    pub max: Option<u64>,
}

/// The table to declare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableChoice {
    /// No table: no `call_indirect`.
    None,
    /// A funcref table with a 32-bit index.
    Table32,
    /// A funcref table with a 64-bit index (memory64's table64).
    Table64,
}

/// Relative weights of the statement building blocks of [`super::body::FuncBuilder`]. A
/// weight of 0 disables the block; blocks whose prerequisites are missing (a memory, a table,
/// tail calls, a callee) are skipped whatever their weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Weights {
    /// `throw` of a tag with a payload. Default 6.
    pub throw: u32,
    /// A direct `call`. Default 5.
    pub call: u32,
    /// A `call_indirect`. Default 2. Needs a table.
    pub call_indirect: u32,
    /// `return_call` / `return_call_indirect` under a guard. Default 1. Needs tail calls.
    pub tail_call: u32,
    /// A `try_table` with handlers. Default 5.
    pub try_table: u32,
    /// `throw_ref` of an exnref from a local or a global. Default 2.
    pub throw_ref: u32,
    /// Moves between exnref locals and globals. Default 1.
    pub stash: u32,
    /// A global write. Default 2.
    pub global_write: u32,
    /// A store. Default 2. Needs a memory.
    pub store: u32,
    /// A load into a local. Default 1. Needs a memory.
    pub load: u32,
    /// `memory.fill`, `memory.copy`, `memory.init`, `data.drop`. Default 1. Needs a memory.
    pub bulk: u32,
    /// `memory.grow` that succeeds or fails. Default 1. Needs a memory.
    pub grow: u32,
    /// A trap (usually guarded). Default 1.
    pub trap: u32,
    /// `if`/`else` on arguments or state. Default 3.
    pub branch: u32,
    /// `br_table` on argument bits. Default 1.
    pub switch: u32,
    /// `br` to an enclosing label or `return`, guarded. Default 1.
    pub exit: u32,
    /// A counted loop. Default 1.
    pub looped: u32,
}

impl Default for Weights {
    fn default() -> Weights {
        Weights {
            throw: 6,
            call: 5,
            call_indirect: 2,
            tail_call: 1,
            try_table: 5,
            throw_ref: 2,
            stash: 1,
            global_write: 2,
            store: 2,
            load: 1,
            bulk: 1,
            grow: 1,
            trap: 1,
            branch: 3,
            switch: 1,
            exit: 1,
            looped: 1,
        }
    }
}

/// The knobs of a scenario, chosen per case (see [`ScenarioConfig::choose_web`] and
/// [`ScenarioConfig::choose_mem64`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioConfig {
    /// Web functions (`f0`, `f1`, ...). Default 6. More functions make longer chains; with
    /// `shape` and `back_edge_percent` they define the call graph.
    pub funcs: u32,
    /// The call graph's shape. Default `Web`.
    pub shape: Shape,
    /// Percentage of direct calls that may go to any web function, including the caller
    /// itself (recursion, bounded by `budget`). Default 5.
    pub back_edge_percent: u32,
    /// Signatures shared by web functions. Default 2. Every signature starts with an `i32`
    /// selector and an `i64` address that guards branch on; fewer signatures give more
    /// candidates for `call_indirect` and tail calls.
    pub sigs: u32,
    /// Tags. Default 3.
    pub tags: u32,
    /// The most payload values of one tag. Default 3.
    pub max_payload: u32,
    /// Whether two tags have the same payload types, so that a handler must match tags by
    /// identity, not by signature. Default true.
    pub twin_tags: bool,
    /// Whether `externref` and `exnref` appear in payloads, parameters and results. Default
    /// true.
    pub ref_types: bool,
    /// Statements per function, nested ones included. Default 24.
    pub stmts_per_func: u32,
    /// The most statements in one block (a branch arm, a `try_table` body, a handler).
    /// Default 4.
    pub block_len: u32,
    /// The deepest nesting of blocks, branches and `try_table`s. Default 3.
    pub max_depth: u32,
    /// The most catch clauses on one `try_table`. Default 4. Clause kinds and their order are
    /// random, so a `catch_all` may shadow later clauses.
    pub max_clauses: u32,
    /// Percentage of catch clauses that target an enclosing compatible label (an outer
    /// handler, an `if`, the function body) instead of their own handler block. Default 25.
    pub outer_target_percent: u32,
    /// Percentage of throws without a guard. Default 30.
    pub unguarded_throw_percent: u32,
    /// Percentage of handlers holding an exnref that rethrow it at once with `throw_ref`.
    /// Default 20.
    pub rethrow_percent: u32,
    /// Percentage of `throw_ref`s not guarded by a null check (null traps). Default 10.
    pub unchecked_throw_ref_percent: u32,
    /// Percentage of traps not guarded by a data-dependent condition. Default 10.
    pub unguarded_trap_percent: u32,
    /// Statement weights.
    pub weights: Weights,
    /// Memories, in index order. Default none for the web, one or two for memory64.
    pub memories: Vec<MemChoice>,
    /// Passive data segments (for `memory.init`). Default 1 when there is a memory.
    pub passive_data: u32,
    /// Whether tail calls (`return_call`, `return_call_indirect`) are used. Default true.
    pub tail_calls: bool,
    /// The table. Default `Table32`.
    pub table: TableChoice,
    /// The start function. Default `None`.
    pub start: Start,
    /// Function entries allowed per entry call: every web function decrements a budget
    /// global on entry and returns zeros once it is spent; entries reset it. This bounds
    /// recursion and run time. Default 64.
    pub budget: u32,
    /// Mutable `exnref` globals that handlers stash caught exceptions in, for `throw_ref`
    /// later (in another function or another call). Default 1.
    pub exn_globals: u32,
    /// `memory.grow` that should succeed only runs while the memory is below this many pages,
    /// so memories stay small (engines digest them after every call). Default 16.
    pub grow_cap_pages: u64,
    /// Entry functions (`run0`, ...), each resetting the budget and calling a web function.
    /// Default 3.
    pub entries: u32,
    /// Memory kernels (`load0`, `store0`, `fill`, `copy`, `grow`, ...) that take addresses as
    /// arguments, for the memory64 scenario. Default 0.
    pub kernels: u32,
    /// Percentage of `try_table` bodies that begin with a call (direct or through the table),
    /// so that what the callee throws is caught across a frame. Default 60.
    pub call_in_try_percent: u32,
    /// Percentage of entries whose call into the web runs inside a `try_table`: what escapes
    /// the web is then caught (or rethrown to the host by `throw_ref`) across frames instead of
    /// escaping at once. Default 50; interacts with `rethrow_percent`.
    pub entry_catch_percent: u32,
    /// Percentage of web functions whose first statement is a throw (guarded like any other,
    /// see `unguarded_throw_percent`), before anything that may trap: a path that always
    /// traps early would otherwise never throw. Default 75.
    pub throw_first_percent: u32,
}

impl Default for ScenarioConfig {
    fn default() -> ScenarioConfig {
        ScenarioConfig {
            funcs: 6,
            shape: Shape::Web,
            back_edge_percent: 5,
            sigs: 2,
            tags: 3,
            max_payload: 3,
            twin_tags: true,
            ref_types: true,
            stmts_per_func: 24,
            block_len: 4,
            max_depth: 3,
            max_clauses: 4,
            outer_target_percent: 25,
            unguarded_throw_percent: 30,
            rethrow_percent: 20,
            unchecked_throw_ref_percent: 10,
            unguarded_trap_percent: 10,
            weights: Weights::default(),
            memories: Vec::new(),
            passive_data: 0,
            tail_calls: true,
            table: TableChoice::Table32,
            start: Start::None,
            budget: 64,
            exn_globals: 1,
            grow_cap_pages: 16,
            entries: 3,
            kernels: 0,
            call_in_try_percent: 60,
            entry_catch_percent: 50,
            throw_first_percent: 75,
        }
    }
}

/// Declared maxima for 64-bit memories: small, exactly 4 GiB + 1 page, and far beyond.
const MEM64_MAX: [Option<u64>; 7] = [
    None,
    Some(2),
    Some(16),
    Some(65536),
    Some(65537),
    Some(1 << 32),
    Some(1 << 48),
];

impl ScenarioConfig {
    /// Knobs for the exception web, chosen from `c`. `memory` says how likely memories are
    /// (percent).
    pub fn choose_web(c: &mut Choices, memory_percent: u64) -> ScenarioConfig {
        let mut k = ScenarioConfig {
            funcs: c.range32(2, 10),
            shape: if c.chance(1, 3) {
                Shape::Chain
            } else {
                Shape::Web
            },
            back_edge_percent: *c.pick(&[0, 5, 10]),
            sigs: c.range32(1, 3),
            tags: c.range32(1, 5),
            max_payload: c.range32(0, 4),
            twin_tags: c.chance(1, 2),
            ref_types: c.chance(3, 4),
            stmts_per_func: c.range32(8, 32),
            block_len: c.range32(2, 5),
            max_depth: c.range32(2, 4),
            max_clauses: c.range32(1, 5),
            outer_target_percent: *c.pick(&[0, 25, 50]),
            unguarded_throw_percent: *c.pick(&[10, 30, 60]),
            rethrow_percent: *c.pick(&[0, 20, 50]),
            unchecked_throw_ref_percent: *c.pick(&[0, 10, 30]),
            unguarded_trap_percent: *c.pick(&[0, 10]),
            tail_calls: c.chance(2, 3),
            table: match c.below(5) {
                0 => TableChoice::None,
                1 => TableChoice::Table64,
                _ => TableChoice::Table32,
            },
            start: match c.below(40) {
                0 => Start::Throws,
                1 | 2 => Start::Quiet,
                _ => Start::None,
            },
            budget: *c.pick(&[16, 32, 64, 128]),
            exn_globals: c.range32(0, 2),
            entries: c.range32(1, 4),
            call_in_try_percent: *c.pick(&[30, 60, 90]),
            entry_catch_percent: *c.pick(&[25, 50, 75]),
            throw_first_percent: *c.pick(&[50, 75, 90]),
            ..ScenarioConfig::default()
        };
        k.weights = Weights {
            throw: c.range32(3, 8),
            call: c.range32(3, 8),
            call_indirect: c.range32(0, 3),
            tail_call: c.range32(0, 2),
            try_table: c.range32(3, 8),
            throw_ref: c.range32(1, 3),
            stash: c.range32(0, 2),
            global_write: c.range32(1, 3),
            trap: c.range32(0, 2),
            branch: c.range32(1, 4),
            switch: c.range32(0, 2),
            exit: c.range32(0, 2),
            looped: c.range32(0, 2),
            ..Weights::default()
        };
        if c.chance(memory_percent, 100) {
            let mem64 = c.chance(2, 3);
            k.memories.push(choose_memory(c, mem64));
            if c.chance(1, 4) {
                let mem64 = c.chance(1, 2);
                k.memories.push(choose_memory(c, mem64));
            }
            k.passive_data = c.range32(0, 2);
        } else {
            for w in [
                &mut k.weights.store,
                &mut k.weights.load,
                &mut k.weights.bulk,
                &mut k.weights.grow,
            ] {
                *w = 0;
            }
        }
        k
    }

    /// Knobs for the memory64 scenario: one or more memories, at least one 64-bit, memory
    /// building blocks weighted up, kernels taking addresses from the plan, exceptions still
    /// in the mix.
    pub fn choose_mem64(c: &mut Choices) -> ScenarioConfig {
        let mut k = ScenarioConfig::choose_web(c, 0);
        k.funcs = c.range32(1, 4);
        k.memories = vec![choose_memory(c, true)];
        for _ in 0..c.below(3) {
            let mem64 = c.chance(1, 2);
            k.memories.push(choose_memory(c, mem64));
        }
        k.passive_data = c.range32(1, 2);
        k.kernels = c.range32(3, 8);
        k.weights.store = c.range32(3, 8);
        k.weights.load = c.range32(2, 6);
        k.weights.bulk = c.range32(1, 4);
        k.weights.grow = c.range32(1, 3);
        k.weights.throw = c.range32(2, 6);
        k
    }

    /// A one-line description of the knobs.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "funcs={} shape={:?} back_edges={}% sigs={} tags={} payload<={}{}{} stmts={} \
             block<={} depth<={} clauses<={} outer_targets={}% unguarded_throws={}% \
             rethrows={}% table={:?} start={:?} budget={} exn_globals={} entries={} \
             calls_in_try={}% entry_catches={}% throws_first={}%",
            self.funcs,
            self.shape,
            self.back_edge_percent,
            self.sigs,
            self.tags,
            self.max_payload,
            if self.twin_tags { " twin-tags" } else { "" },
            if self.ref_types { " ref-types" } else { "" },
            self.stmts_per_func,
            self.block_len,
            self.max_depth,
            self.max_clauses,
            self.outer_target_percent,
            self.unguarded_throw_percent,
            self.rethrow_percent,
            self.table,
            self.start,
            self.budget,
            self.exn_globals,
            self.entries,
            self.call_in_try_percent,
            self.entry_catch_percent,
            self.throw_first_percent,
        );
        if self.tail_calls {
            s.push_str(" tail-call");
        }
        for m in &self.memories {
            let _ = write!(
                s,
                " mem{}:{}..{}",
                if m.mem64 { 64 } else { 32 },
                m.min,
                m.max.map_or("".to_string(), |m| m.to_string())
            );
        }
        if self.kernels > 0 {
            let _ = write!(s, " kernels={}", self.kernels);
        }
        s
    }
}

/// A memory with a small minimum; 64-bit ones sometimes declare more than 4 GiB.
fn choose_memory(c: &mut Choices, mem64: bool) -> MemChoice {
    let min = *c.pick(&[0, 1, 1, 1, 2, 4]);
    let max = if mem64 {
        *c.pick(&MEM64_MAX)
    } else {
        *c.pick(&[None, Some(2), Some(16), Some(65536)])
    };
    MemChoice {
        mem64,
        min,
        max: max.map(|m| m.max(min)),
    }
}
