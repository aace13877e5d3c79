//! Checking what a session observed against what the script expects: one `Check` per command.
//!
//! The rules, per directive:
//! - `module`, `module definition`, `module instance`, bare `invoke` / `get`: must succeed;
//! - `assert_return`: the results match the patterns (NaN patterns by class, `ref.null` by
//!   reference hierarchy, `ref.func` any non-null funcref, `ref.extern N` exactly, `either`
//!   any alternative);
//! - `assert_trap`: a trap (of a module: instantiation traps). An engine that promises the
//!   spec's messages ([`oracles::Engine::spec_messages`]) must report a message starting with
//!   the expected text; any other engine must report the trap kind the text denotes
//!   ([`TrapKind::from_spec_message`]);
//! - `assert_exhaustion`: call-stack exhaustion;
//! - `assert_exception`: an exception escaped;
//! - `assert_invalid` / `assert_malformed`: the module is rejected as invalid or malformed —
//!   either category for both, since engines draw the line in different places; the pass
//!   carries a note naming the category the engine chose when it is not the expected one;
//! - `assert_unlinkable`: rejected at link time;
//! - `assert_uninstantiable`: instantiation traps or throws.
//!
//! An engine crash fails every check. A command whose module the engine cannot run (a
//! proposal it lacks), a command blocked by an earlier failure, and a directive outside
//! catchall's vocabulary are skipped.

use crate::script::{Command, CommandKind, display_expected};
use crate::session::Step;
use oracles::{Exhaustion, ModuleError, Observation, Outcome, Trap, TrapKind};

/// The verdict on one command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// The expectation holds; the note says how, where that is worth recording.
    Pass(Option<String>),
    /// It does not.
    Fail {
        /// What the script expects.
        expected: String,
        /// What the engine did.
        actual: String,
    },
    /// The command was not run.
    Skip(String),
}

/// Checks one command's step. `None` for commands that assert nothing (`register`).
pub fn check(command: &Command, step: &Step, strict_messages: bool) -> Option<Check> {
    if let CommandKind::Register { .. } = command.kind {
        return None;
    }
    let observation = match step {
        Step::Blocked(b) => return Some(Check::Skip(b.reason.clone())),
        Step::Skipped(why) => return Some(Check::Skip(why.clone())),
        Step::Performed(p) => &p.observation,
        Step::Nothing => {
            return Some(match &command.kind {
                CommandKind::Unsupported { reason, .. } => Check::Skip(reason.clone()),
                CommandKind::AssertInvalid { module: Err(r), .. }
                | CommandKind::AssertMalformed { module: Err(r), .. } => {
                    Check::Pass(Some(format!("rejected by the text format: {}", r.message)))
                }
                other => Check::Fail {
                    expected: format!("{} to run", other.directive()),
                    actual: "nothing ran".into(),
                },
            });
        }
    };
    let fail = |expected: String| Check::Fail {
        expected,
        actual: describe(observation),
    };
    let outcome = &observation.outcome;
    Some(match &command.kind {
        CommandKind::Module(_) | CommandKind::ModuleInstance { .. } => match outcome {
            Ok(Outcome::Return(_)) => Check::Pass(None),
            _ => fail("the module to instantiate".into()),
        },
        CommandKind::ModuleDefinition(_) => match outcome {
            Ok(Outcome::Return(_)) => Check::Pass(None),
            _ => fail("the module to compile".into()),
        },
        CommandKind::Action(_) => match outcome {
            Ok(Outcome::Return(_)) => Check::Pass(None),
            _ => fail("the action to complete".into()),
        },
        CommandKind::AssertReturn { expected, .. } => match outcome {
            Ok(Outcome::Return(vals))
                if vals.len() == expected.len()
                    && expected.iter().zip(vals).all(|(e, v)| e.matches(v)) =>
            {
                Check::Pass(None)
            }
            _ => fail(display_expected(expected)),
        },
        CommandKind::AssertTrap { message, .. } => match outcome {
            Ok(Outcome::Trap(trap)) if trap_matches(trap, message, strict_messages) => {
                Check::Pass(None)
            }
            _ => fail(format!("trap {message:?}")),
        },
        CommandKind::AssertExhaustion { message, .. } => match outcome {
            Ok(Outcome::Exhaustion(Exhaustion::CallStack)) => Check::Pass(None),
            _ => fail(format!("call stack exhaustion ({message:?})")),
        },
        CommandKind::AssertException { .. } => match outcome {
            Ok(Outcome::Exception(_)) => Check::Pass(None),
            _ => fail("an exception".into()),
        },
        CommandKind::AssertInvalid { message, .. } => match outcome {
            Err(ModuleError::Invalid(_)) => Check::Pass(None),
            Err(ModuleError::Malformed(m)) => Check::Pass(Some(format!(
                "expected invalid ({message:?}), rejected as malformed: {}",
                one_line(m)
            ))),
            _ => fail(format!("an invalid module ({message:?})")),
        },
        CommandKind::AssertMalformed { message, .. } => match outcome {
            Err(ModuleError::Malformed(_)) => Check::Pass(None),
            Err(ModuleError::Invalid(m)) => Check::Pass(Some(format!(
                "expected malformed ({message:?}), rejected as invalid: {}",
                one_line(m)
            ))),
            _ => fail(format!("a malformed module ({message:?})")),
        },
        CommandKind::AssertUnlinkable { message, .. } => match outcome {
            Err(ModuleError::Unlinkable(_)) => Check::Pass(None),
            _ => fail(format!("an unlinkable module ({message:?})")),
        },
        CommandKind::AssertUninstantiable { message, .. } => match outcome {
            Ok(Outcome::Trap(_) | Outcome::Exception(_)) => Check::Pass(None),
            _ => fail(format!("instantiation to trap or throw ({message:?})")),
        },
        CommandKind::Register { .. } | CommandKind::Unsupported { .. } => {
            Check::Skip("nothing to check".into())
        }
    })
}

/// Whether a trap is the one the spec's `message` names: by message prefix for engines that
/// promise the spec's texts, by trap kind for the others (and, for messages that name no kind
/// catchall knows, by the engine's message containing the spec's).
pub fn trap_matches(trap: &Trap, message: &str, strict_messages: bool) -> bool {
    if strict_messages {
        return trap.message.starts_with(message);
    }
    match TrapKind::from_spec_message(message) {
        Some(kind) => trap.kind == kind,
        None => trap.message.contains(message),
    }
}

/// What an engine did, for a failure message: `i32:7`, `trap oob ("...")`, `invalid module: ...`.
pub fn describe(observation: &Observation) -> String {
    let text = match &observation.outcome {
        Ok(Outcome::Return(vals)) if vals.is_empty() => "success (no results)".to_string(),
        Ok(Outcome::Return(vals)) => oracles::value::display_list(vals),
        Ok(Outcome::Trap(t)) => format!("trap {} ({:?})", t.kind.short_name(), t.message),
        Ok(other) => other.to_string(),
        Err(e) => e.to_string(),
    };
    truncate(&one_line(&text), 400)
}

/// Whitespace runs become one space and other control characters are escaped, so that an
/// engine's message (which may quote the module's bytes) stays on one printable line.
fn one_line(s: &str) -> String {
    let squashed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(squashed.len());
    for c in squashed.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}...", &s[..at]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::{Action, Expected, ModuleForm, TextRejection};
    use crate::session::{Blocked, Performed};
    use oracles::Val;

    fn cmd(kind: CommandKind) -> Command {
        Command { line: 1, kind }
    }

    fn ran(outcome: Result<Outcome<Vec<Val>>, ModuleError>) -> Step {
        Step::Performed(Performed {
            action: "x".into(),
            observation: Observation {
                outcome,
                snapshot: None,
            },
        })
    }

    fn invoke() -> Action {
        Action::Invoke {
            instance: None,
            func: "f".into(),
            args: vec![],
        }
    }

    #[test]
    fn assert_return_matches_patterns_and_counts() {
        let c = cmd(CommandKind::AssertReturn {
            action: invoke(),
            expected: vec![Expected::Exact(Val::I32(1))],
        });
        assert_eq!(
            check(&c, &ran(Ok(Outcome::Return(vec![Val::I32(1)]))), false),
            Some(Check::Pass(None))
        );
        assert_eq!(
            check(&c, &ran(Ok(Outcome::Return(vec![Val::I32(2)]))), false),
            Some(Check::Fail {
                expected: "i32:1".into(),
                actual: "i32:2".into()
            })
        );
        assert!(matches!(
            check(
                &c,
                &ran(Ok(Outcome::Return(vec![Val::I32(1), Val::I32(1)]))),
                false
            ),
            Some(Check::Fail { .. })
        ));
        assert!(matches!(
            check(&c, &ran(Ok(Outcome::Crash("boom".into()))), false),
            Some(Check::Fail { .. })
        ));
    }

    #[test]
    fn traps_by_kind_or_by_message() {
        let c = cmd(CommandKind::AssertTrap {
            action: invoke(),
            message: "out of bounds memory access".into(),
        });
        let oob = |message: &str| {
            ran(Ok(Outcome::Trap(Trap {
                kind: TrapKind::MemoryOutOfBounds,
                message: message.into(),
            })))
        };
        assert_eq!(
            check(&c, &oob("wasm trap: memory oob"), false),
            Some(Check::Pass(None))
        );
        // Strict engines must use the spec's text.
        assert!(matches!(
            check(&c, &oob("wasm trap: memory oob"), true),
            Some(Check::Fail { .. })
        ));
        assert_eq!(
            check(&c, &oob("out of bounds memory access at 7"), true),
            Some(Check::Pass(None))
        );
        let other = ran(Ok(Outcome::Trap(Trap::spec(TrapKind::Unreachable))));
        assert!(matches!(check(&c, &other, false), Some(Check::Fail { .. })));
        let returned = ran(Ok(Outcome::Return(vec![])));
        assert!(matches!(
            check(&c, &returned, false),
            Some(Check::Fail { .. })
        ));
    }

    #[test]
    fn invalid_and_malformed_accept_either_category_with_a_note() {
        let module = Ok(crate::script::ScriptModule {
            name: None,
            form: ModuleForm::Binary,
            bytes: vec![],
            features: oracles::Features::NONE,
        });
        let c = cmd(CommandKind::AssertInvalid {
            module: module.clone(),
            message: "type mismatch".into(),
        });
        assert_eq!(
            check(&c, &ran(Err(ModuleError::Invalid("x".into()))), false),
            Some(Check::Pass(None))
        );
        let Some(Check::Pass(Some(note))) =
            check(&c, &ran(Err(ModuleError::Malformed("bad".into()))), false)
        else {
            panic!()
        };
        assert!(note.contains("rejected as malformed"), "{note}");
        assert!(matches!(
            check(&c, &ran(Ok(Outcome::Return(vec![]))), false),
            Some(Check::Fail { .. })
        ));
        assert!(matches!(
            check(&c, &ran(Err(ModuleError::Unsupported("x".into()))), false),
            Some(Check::Fail { .. })
        ));
        let c = cmd(CommandKind::AssertMalformed {
            module: Err(TextRejection {
                form: ModuleForm::Quote,
                message: "unexpected token".into(),
            }),
            message: "unexpected token".into(),
        });
        assert!(matches!(
            check(&c, &Step::Nothing, false),
            Some(Check::Pass(Some(_)))
        ));
    }

    #[test]
    fn module_level_assertions() {
        let module = crate::script::ScriptModule {
            name: None,
            form: ModuleForm::Text,
            bytes: vec![],
            features: oracles::Features::NONE,
        };
        let c = cmd(CommandKind::AssertUnlinkable {
            module: module.clone(),
            message: "unknown import".into(),
        });
        assert_eq!(
            check(&c, &ran(Err(ModuleError::Unlinkable("x".into()))), false),
            Some(Check::Pass(None))
        );
        assert!(matches!(
            check(&c, &ran(Err(ModuleError::Invalid("x".into()))), false),
            Some(Check::Fail { .. })
        ));
        let c = cmd(CommandKind::AssertUninstantiable {
            module,
            message: "unreachable".into(),
        });
        let trap = ran(Ok(Outcome::Trap(Trap::spec(TrapKind::Unreachable))));
        assert_eq!(check(&c, &trap, false), Some(Check::Pass(None)));
        let c = cmd(CommandKind::AssertExhaustion {
            action: invoke(),
            message: "call stack exhausted".into(),
        });
        assert_eq!(
            check(
                &c,
                &ran(Ok(Outcome::Exhaustion(Exhaustion::CallStack))),
                false
            ),
            Some(Check::Pass(None))
        );
        assert!(matches!(
            check(&c, &ran(Ok(Outcome::Exhaustion(Exhaustion::Fuel))), false),
            Some(Check::Fail { .. })
        ));
        let blocked = Step::Blocked(Blocked {
            line: 3,
            reason: "the module at line 3 did not instantiate".into(),
        });
        assert!(matches!(check(&c, &blocked, false), Some(Check::Skip(_))));
    }
}
