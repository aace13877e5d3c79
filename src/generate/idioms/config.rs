//! `IdiomConfig`: the knobs of the idiom generator, each documented with its default and the
//! knobs it interacts with, and how a case chooses them from its input.

use super::Mem;
use crate::generate::choices::Choices;
use std::fmt::Write as _;

/// The share of idiom modules (percent) that use exceptions in the `idioms` and `mixed`
/// profiles. At most half, so that wasmi and Winch (which run no exceptions) see most idiom
/// modules; the `exceptions` profile raises it to 100.
pub const DEFAULT_EXCEPTIONS_PERCENT: u64 = 40;

/// Of the modules without exceptions, the share (percent) that use tail calls. wasmi runs
/// them; Winch does not, and these modules are most of Winch's work, so this stays small
/// (modules with exceptions always may use tail calls).
pub const TAIL_CALLS_WITHOUT_EXCEPTIONS_PERCENT: u64 = 5;

/// The funcref table to declare (for `call_indirect`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableChoice {
    /// No table: no `call_indirect`.
    None,
    /// A table with 32-bit indices.
    Table32,
    /// A table with 64-bit indices (memory64's table64).
    Table64,
}

/// The knobs of one idiom module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdiomConfig {
    /// Whether the module uses exceptions: tags, throwing callees, `try_table` around idioms,
    /// values live across throws. Chosen with [`DEFAULT_EXCEPTIONS_PERCENT`] by default.
    pub exceptions: bool,
    /// Whether callees may end in `return_call` / `return_call_indirect`. Always with
    /// exceptions (those modules reach neither wasmi nor Winch anyway); otherwise
    /// [`TAIL_CALLS_WITHOUT_EXCEPTIONS_PERCENT`].
    pub tail_calls: bool,
    /// The memories: 0 to 2, each 32- or 64-bit, a few pages (sometimes none) with an
    /// optional maximum. Loads, stores and the bounds templates need at least one.
    pub mems: Vec<Mem>,
    /// The table. Default: one in two modules have a 32-bit one, one in eight a 64-bit one.
    pub table: TableChoice,
    /// Callee functions that entries call (and may hold values live across): 1 to 3.
    pub callees: u32,
    /// Throwing callees (exceptions only): 1 or 2.
    pub throwers: u32,
    /// Tags (exceptions only): 1 or 2, payloads of 0 to 3 numeric values.
    pub tags: u32,
    /// Entry functions the plan calls: 1 to 3.
    pub entries: u32,
    /// Statements per entry function (each an idiom whose value is stored, written to a
    /// global or folded into the result): 2 to 5.
    pub stmts: u32,
    /// The deepest nesting of templates inside templates: 2 or 3. Deeper trees grow
    /// exponentially; operands past this depth are leaves.
    pub max_depth: u32,
    /// The soft instruction budget of one entry body (callees get half): 60 to 160. Once
    /// spent, operands are leaves and no further statement starts.
    pub budget: u32,
    /// Tests only: every statement of every entry uses this template (an index into
    /// [`super::templates::TEMPLATES`]) when it applies.
    pub only: Option<usize>,
}

impl Default for IdiomConfig {
    fn default() -> Self {
        IdiomConfig {
            exceptions: false,
            tail_calls: false,
            mems: vec![Mem {
                mem64: false,
                min: 1,
                max: None,
            }],
            table: TableChoice::None,
            callees: 1,
            throwers: 0,
            tags: 0,
            entries: 1,
            stmts: 2,
            max_depth: 2,
            budget: 60,
            only: None,
        }
    }
}

impl IdiomConfig {
    /// The knobs of one case: exceptions with `exceptions_percent`, and at least one 64-bit
    /// memory when `force_mem64` (the `memory64` profile).
    pub fn choose(c: &mut Choices, exceptions_percent: u64, force_mem64: bool) -> IdiomConfig {
        let exceptions = c.chance(exceptions_percent, 100);
        let tail_calls = exceptions || c.chance(TAIL_CALLS_WITHOUT_EXCEPTIONS_PERCENT, 100);
        let mut mems = Vec::new();
        let count = match c.weighted(&[6, 2, 1]) {
            2 if !force_mem64 => 0,
            1 => 2,
            _ => 1,
        };
        for i in 0..count {
            let mem64 = (force_mem64 && i == 0) || c.chance(1, 2);
            // An empty memory only as the second one (every access to it traps).
            let min = match c.weighted(&[12, 6, u32::from(i > 0) * 3, 2]) {
                0 => 1,
                1 => 2,
                2 => 0,
                _ => 3,
            };
            let max = match c.below(4) {
                0 | 1 => None,
                2 => Some(min + c.below(3)),
                // A 64-bit memory whose maximum lies above 4 GiB (never the 2^48 pages
                // wasmi aborts on).
                _ if mem64 => Some(0x1_0000 + c.below(0x1_0000)),
                _ => Some(min + 1 + c.below(16)),
            };
            mems.push(Mem { mem64, min, max });
        }
        let table = match c.below(8) {
            0..=3 => TableChoice::None,
            7 => TableChoice::Table64,
            _ => TableChoice::Table32,
        };
        IdiomConfig {
            exceptions,
            tail_calls,
            mems,
            table,
            callees: c.range(1, 3) as u32,
            throwers: if exceptions { c.range(1, 2) as u32 } else { 0 },
            tags: if exceptions { c.range(1, 2) as u32 } else { 0 },
            entries: c.range(1, 3) as u32,
            stmts: c.range(2, 5) as u32,
            max_depth: c.range(2, 3) as u32,
            budget: c.range(60, 160) as u32,
            only: None,
        }
    }

    /// Knobs under which template `index` applies: every prerequisite present (a 32- and a
    /// 64-bit memory, a table, tail calls, and exceptions when the template needs them).
    pub fn for_template(index: usize, exceptions: bool) -> IdiomConfig {
        IdiomConfig {
            exceptions,
            tail_calls: true,
            mems: vec![
                Mem {
                    mem64: false,
                    min: 1,
                    max: Some(2),
                },
                Mem {
                    mem64: true,
                    min: 1,
                    max: None,
                },
            ],
            table: TableChoice::Table32,
            callees: 3,
            throwers: u32::from(exceptions),
            tags: u32::from(exceptions),
            entries: 1,
            stmts: 3,
            max_depth: 2,
            budget: 80,
            only: Some(index),
        }
    }

    /// A one-line description.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            "exceptions={} tail_calls={} mems=[",
            self.exceptions, self.tail_calls
        );
        for (i, m) in self.mems.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let _ = write!(s, "{}:{}", if m.mem64 { "i64" } else { "i32" }, m.min);
            if let Some(max) = m.max {
                let _ = write!(s, "..{max}");
            }
        }
        let _ = write!(
            s,
            "] table={:?} callees={} throwers={} tags={} entries={} stmts={} depth={} budget={}",
            self.table,
            self.callees,
            self.throwers,
            self.tags,
            self.entries,
            self.stmts,
            self.max_depth,
            self.budget
        );
        s
    }
}
