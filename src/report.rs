//! The side-by-side report of a case: one row per step, one column per engine, then the verdict;
//! rendered as an aligned text table or as one JSON document.

use oracles::CaseReport;
use oracles::compare::{Observation, Verdict};
use oracles::differential::EngineStatus;
use oracles::outcome::{ModuleError, Outcome};
use serde_json::{Value, json};
use std::fmt::Write as _;

/// What one engine shows in one step.
#[derive(Clone, Debug)]
pub enum CellKind {
    /// The engine took the step.
    Observed(Observation),
    /// The engine does not run this module.
    Skipped(String),
    /// The engine could not take the step (no instance, or it crashed earlier).
    NotRun,
}

/// One step of the report.
#[derive(Clone, Debug)]
pub struct StepRow {
    /// The action (`instantiate`, `f(i32:1)`, `module $M`, ...).
    pub action: String,
    /// One cell per engine, in column order.
    pub cells: Vec<CellKind>,
    /// Whether every engine that took the step saw the same state afterwards.
    pub state_equal: bool,
    /// The step's own verdict.
    pub verdict: Verdict,
    /// The first differing (memory, offset), for a memory mismatch.
    pub memory_difference: Option<(u32, u64)>,
}

/// A whole report.
#[derive(Clone, Debug)]
pub struct Table {
    /// What was run.
    pub title: String,
    /// Column headers.
    pub engines: Vec<String>,
    /// Engines that skipped the whole case, and why.
    pub skipped: Vec<(String, String)>,
    /// The steps.
    pub rows: Vec<StepRow>,
    /// The overall verdict (the first step verdict that is not `agree`).
    pub verdict: Verdict,
}

/// The widest a cell is drawn; longer text is cut with an ellipsis (the JSON has it whole).
const MAX_CELL: usize = 36;

/// The text of one cell.
pub fn render_cell(cell: &CellKind) -> String {
    match cell {
        CellKind::Observed(o) => o.cell(),
        CellKind::Skipped(why) => format!("skipped ({why})"),
        CellKind::NotRun => "-".into(),
    }
}

fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

impl Table {
    /// The report of a differential case; `title` names what ran (a file, a case id).
    pub fn from_case(title: &str, case: &CaseReport) -> Table {
        let engines: Vec<String> = case.engines.iter().map(|e| e.name.clone()).collect();
        let skipped = case
            .engines
            .iter()
            .filter_map(|e| match &e.status {
                EngineStatus::Skipped(why) => Some((e.name.clone(), why.clone())),
                EngineStatus::Ran => None,
            })
            .collect();
        let rows = case
            .steps
            .iter()
            .map(|step| StepRow {
                action: step.action.clone(),
                cells: step
                    .observations
                    .iter()
                    .zip(&case.engines)
                    .map(|(o, e)| match (o, &e.status) {
                        (_, EngineStatus::Skipped(why)) => CellKind::Skipped(why.clone()),
                        (Some(o), _) => CellKind::Observed(o.clone()),
                        (None, _) => CellKind::NotRun,
                    })
                    .collect(),
                state_equal: step.state_equal,
                verdict: step.verdict.clone(),
                memory_difference: step.first_memory_difference,
            })
            .collect();
        Table {
            title: format!(
                "{title} (proposals: {})",
                if case.features.is_empty() {
                    "none beyond core".to_string()
                } else {
                    case.features.join(", ")
                }
            ),
            engines,
            skipped,
            rows,
            verdict: case.verdict.clone(),
        }
    }

    /// The aligned text rendering.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}", self.title);
        let _ = writeln!(out);
        let action_width = self
            .rows
            .iter()
            .map(|r| r.action.chars().count())
            .chain(["step".len()])
            .max()
            .unwrap_or(4)
            .min(48);
        let widths: Vec<usize> = self
            .engines
            .iter()
            .enumerate()
            .map(|(i, name)| {
                self.rows
                    .iter()
                    .filter_map(|r| r.cells.get(i))
                    .map(|c| render_cell(c).chars().count())
                    .chain([name.len()])
                    .max()
                    .unwrap_or(0)
                    .min(MAX_CELL)
            })
            .collect();
        let _ = write!(out, "  {:<action_width$}", "step");
        for (name, w) in self.engines.iter().zip(&widths) {
            let _ = write!(out, "  {name:<w$}");
        }
        let _ = writeln!(out);
        for row in &self.rows {
            let mark = match (&row.verdict, row.state_equal) {
                (Verdict::Diverge(_), _) => '!',
                (Verdict::Poisoned { .. }, _) => '~',
                (Verdict::Agree, _) => ' ',
            };
            let _ = write!(
                out,
                "{mark} {:<action_width$}",
                clip(&row.action, action_width)
            );
            for (cell, w) in row.cells.iter().zip(&widths) {
                let _ = write!(out, "  {:<w$}", clip(&render_cell(cell), *w));
            }
            let _ = writeln!(out);
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", self.verdict_lines());
        out
    }

    fn verdict_lines(&self) -> String {
        let ran = self.engines.len() - self.skipped.len();
        let skipped = if self.skipped.is_empty() {
            String::new()
        } else {
            format!(
                "; skipped: {}",
                self.skipped
                    .iter()
                    .map(|(e, why)| format!("{e} ({why})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        match &self.verdict {
            // One engine agrees with nobody: nothing was compared.
            Verdict::Agree if ran < 2 => format!(
                "verdict: inconclusive (only {ran} engine ran{skipped}; a comparison needs two)"
            ),
            Verdict::Agree => format!("verdict: agree ({ran} engines ran{skipped})"),
            Verdict::Poisoned { reason, step } => format!(
                "verdict: poisoned at step {step} `{}` ({reason}: spec-permitted nondeterminism, \
                 later steps marked ~ or ! are not findings) ({ran} engines ran{skipped})",
                self.rows.get(*step).map_or("", |r| r.action.as_str())
            ),
            Verdict::Diverge(d) => {
                let mut s = format!(
                    "verdict: DIVERGE at step {} `{}`: {}\n",
                    d.step,
                    self.rows.get(d.step).map_or("", |r| r.action.as_str()),
                    d.kind
                );
                for g in &d.groups {
                    let _ = writeln!(s, "  {}: {}", g.engines.join(", "), g.observed);
                }
                let _ = writeln!(s, "  detail: {}", d.detail);
                if let Some((mem, off)) = self.rows.get(d.step).and_then(|r| r.memory_difference) {
                    let _ = writeln!(s, "  first difference: memory {mem} at offset {off:#x}");
                }
                let _ = write!(s, "  suspect: {}", d.suspect);
                if !self.skipped.is_empty() {
                    let _ = write!(s, "\n  ({ran} engines ran{skipped})");
                }
                s
            }
        }
    }

    /// The JSON document.
    pub fn to_json(&self) -> Value {
        let steps: Vec<Value> = self
            .rows
            .iter()
            .map(|row| {
                let outcomes: serde_json::Map<String, Value> = self
                    .engines
                    .iter()
                    .zip(&row.cells)
                    .map(|(e, c)| (e.clone(), cell_json(c)))
                    .collect();
                json!({
                    "action": row.action,
                    "outcomes": outcomes,
                    "state_equal": row.state_equal,
                    "verdict": row.verdict.name(),
                })
            })
            .collect();
        let divergences: Vec<Value> = self
            .rows
            .iter()
            .filter_map(|r| match &r.verdict {
                Verdict::Diverge(d) => {
                    let mut v = serde_json::to_value(d).unwrap_or(Value::Null);
                    if let (Some((mem, off)), Some(obj)) = (r.memory_difference, v.as_object_mut())
                    {
                        obj.insert(
                            "first_memory_difference".into(),
                            json!({"memory": mem, "offset": off}),
                        );
                    }
                    Some(v)
                }
                _ => None,
            })
            .collect();
        let mut doc = json!({
            "title": self.title,
            "engines": self.engines,
            "skipped": self.skipped.iter().map(|(e, why)| (e.clone(), Value::from(why.clone()))).collect::<serde_json::Map<String, Value>>(),
            "steps": steps,
            "verdict": match self.verdict {
                Verdict::Agree if self.engines.len() - self.skipped.len() < 2 => "inconclusive",
                ref v => v.name(),
            },
            "divergences": divergences,
        });
        if let Verdict::Poisoned { reason, step } = &self.verdict {
            doc["poisoned"] = json!({"reason": reason.name(), "step": step});
        }
        doc
    }
}

/// One engine's outcome of one step as JSON.
pub fn cell_json(cell: &CellKind) -> Value {
    match cell {
        CellKind::Skipped(why) => json!({"kind": "skipped", "reason": why}),
        CellKind::NotRun => json!({"kind": "not-run"}),
        CellKind::Observed(o) => match &o.outcome {
            Err(e) => module_error_json(e),
            Ok(outcome) => outcome_json(outcome),
        },
    }
}

fn module_error_json(e: &ModuleError) -> Value {
    json!({"kind": "error", "error": e.kind_name(), "message": e.to_string()})
}

fn outcome_json(o: &Outcome<Vec<oracles::Val>>) -> Value {
    match o {
        Outcome::Return(vals) => json!({"kind": "return", "values": vals}),
        Outcome::Trap(t) => {
            json!({"kind": "trap", "trap": t.kind.short_name(), "message": t.message})
        }
        Outcome::Exception(e) => json!({
            "kind": "exception",
            "tag": match (&e.tag.name, e.tag.index) {
                (Some(n), _) => n.clone(),
                (None, Some(i)) => i.to_string(),
                (None, None) => "foreign".into(),
            },
            "tag_index": e.tag.index,
            "payload": e.payload,
            "exnref": oracles::Val::ExnRef(Some(e.id)),
        }),
        Outcome::Exhaustion(x) => json!({"kind": "exhaustion", "reason": x.to_string()}),
        Outcome::Crash(c) => json!({"kind": "error", "error": "crash", "message": c}),
    }
}
