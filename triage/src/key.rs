//! The bucket key: what diverged and nothing incidental, typed, with a stable text form (`Display` / `FromStr`) and a filesystem-safe directory name.
//!
//! The text forms, one per variant:
//!
//! ```text
//! value-mismatch|expected=return|planted=return
//! trap-vs-return|expected=trap:memory-out-of-bounds|cranelift+cranelift-o0=return
//! engine-crash|engine=wasmtime|site=wasmtime-48.0.8/src/runtime/memory.rs:412
//! process-crash|engine=planted-abort|signal=SIGABRT
//! known|wasmi-select-eqz
//! ```
//!
//! A divergence's key holds its kind, what the oracle's side observed (`expected`) and each
//! dissenting side: the engines (sorted) and the class of what they observed (a trap's kind, an
//! exception's tag index, never values). A crash's key holds the engine family and the
//! normalized crash site only, so one crash site is one bucket whatever module, features or
//! other engines were involved. The tokens are spelled here, not borrowed from any display
//! text, so renaming a table cell moves no finding.

use oracles::compare::{Divergence, DivergenceKind, ObservedClass};
use oracles::{EngineKind, TrapKind};
use std::fmt;
use std::str::FromStr;

/// One dissenting side of a divergence.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Side {
    /// The engines (configurations), sorted by name.
    pub engines: Vec<String>,
    /// What they observed.
    pub class: ObservedClass,
}

/// What a finding's bucket is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BucketKey {
    /// Engines observed different things in a step.
    Divergence {
        /// What differs.
        kind: DivergenceKind,
        /// What the oracle's side (or, without the oracle, the largest side) observed.
        expected: ObservedClass,
        /// The other sides, in order of their first engine.
        dissent: Vec<Side>,
    },
    /// An engine crashed inside the process (a caught panic or an internal error).
    Crash {
        /// The engine family (`wasmtime` for every wasmtime configuration, else the engine).
        engine: String,
        /// The normalized crash site ([`oracles::outcome::crash_site`]).
        site: String,
    },
    /// The process died running the case (recovered from an in-flight marker).
    ProcessCrash {
        /// The engine whose lone rerun died, `None` when no engine alone reproduced it.
        engine: Option<String>,
        /// How it died (`SIGABRT`, `SIGSEGV`, `signal-N`).
        signal: String,
    },
    /// A known engine bug, confirmed case by case.
    Known {
        /// The bug's name.
        name: String,
    },
}

/// A bucket key's text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a bucket key: `{text}` ({reason})")]
pub struct KeyError {
    /// The text.
    pub text: String,
    /// What is wrong.
    pub reason: String,
}

/// The engine family whose bug a crash of `engine` is: every wasmtime configuration is
/// wasmtime (they share the runtime that crashed), any other engine is itself.
pub fn engine_family(engine: &str) -> String {
    match EngineKind::from_name(engine) {
        Some(k) if k.is_wasmtime() => "wasmtime".to_string(),
        _ => engine.to_string(),
    }
}

/// The name of a signal number (`SIGABRT`), or `signal-N`.
pub fn signal_name(signal: i32) -> String {
    match signal {
        4 => "SIGILL".into(),
        6 => "SIGABRT".into(),
        7 => "SIGBUS".into(),
        8 => "SIGFPE".into(),
        9 => "SIGKILL".into(),
        11 => "SIGSEGV".into(),
        n => format!("signal-{n}"),
    }
}

impl BucketKey {
    /// The key of a divergence.
    pub fn of(d: &Divergence) -> BucketKey {
        if d.kind == DivergenceKind::EngineCrash
            && let Some(g) = d
                .groups
                .iter()
                .find(|g| matches!(g.class, ObservedClass::Crash(_)))
            && let ObservedClass::Crash(site) = &g.class
        {
            let engine = g
                .engines
                .first()
                .map_or("unknown".into(), |e| engine_family(e));
            return BucketKey::Crash {
                engine,
                site: site.clone(),
            };
        }
        let expected = d
            .groups
            .first()
            .map_or(ObservedClass::Return, |g| g.class.clone());
        let dissent = d
            .groups
            .iter()
            .skip(1)
            .map(|g| {
                let mut engines = g.engines.clone();
                engines.sort();
                Side {
                    engines,
                    class: g.class.clone(),
                }
            })
            .collect();
        BucketKey::Divergence {
            kind: d.kind,
            expected,
            dissent,
        }
    }

    /// The key of cases confirmed to be the known bug `name`.
    pub fn known(name: &str) -> BucketKey {
        BucketKey::Known {
            name: name.to_string(),
        }
    }

    /// The engines whose behaviour the key says is wrong.
    pub fn dissenters(&self) -> Vec<String> {
        match self {
            BucketKey::Divergence { dissent, .. } => dissent
                .iter()
                .flat_map(|s| s.engines.iter().cloned())
                .collect(),
            BucketKey::Crash { engine, .. } => vec![engine.clone()],
            BucketKey::ProcessCrash { engine, .. } => engine.iter().cloned().collect(),
            BucketKey::Known { .. } => Vec::new(),
        }
    }

    /// The kind's name (`value-mismatch`, `engine-crash`, `process-crash`, `known`).
    pub fn kind_name(&self) -> &str {
        match self {
            BucketKey::Divergence { kind, .. } => kind.name(),
            BucketKey::Crash { .. } => "engine-crash",
            BucketKey::ProcessCrash { .. } => "process-crash",
            BucketKey::Known { .. } => "known",
        }
    }

    /// The bucket's directory name: `known-<name>` for a known bug, else the kind, the first
    /// dissenting engine and a stable hash of the whole key (FNV-1a of its text).
    pub fn dir_name(&self) -> String {
        if let BucketKey::Known { name } = self {
            return format!("known-{}", safe(name));
        }
        let text = self.to_string();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in text.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let who = self
            .dissenters()
            .first()
            .cloned()
            .unwrap_or_else(|| "none".into());
        format!("{}-{}-{:08x}", self.kind_name(), safe(&who), h as u32)
    }
}

/// A name with every character outside `[A-Za-z0-9._-]` replaced by `_`.
fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Free text inside a key (a crash site, an unmapped trap's message): no `|`, no line breaks.
fn field(text: &str) -> String {
    text.replace(['|', '\n', '\r'], "/")
}

/// The stable token of a trap kind.
fn trap_token(kind: &TrapKind) -> String {
    match kind {
        TrapKind::Unreachable => "unreachable".into(),
        TrapKind::MemoryOutOfBounds => "memory-out-of-bounds".into(),
        TrapKind::TableOutOfBounds => "table-out-of-bounds".into(),
        TrapKind::IndirectCallNull => "indirect-call-null".into(),
        TrapKind::IndirectCallBadSignature => "indirect-call-bad-signature".into(),
        TrapKind::IntegerDivideByZero => "integer-divide-by-zero".into(),
        TrapKind::IntegerOverflow => "integer-overflow".into(),
        TrapKind::BadConversionToInteger => "bad-conversion-to-integer".into(),
        TrapKind::NullReference => "null-reference".into(),
        TrapKind::CastFailure => "cast-failure".into(),
        TrapKind::Other(s) => format!("other:{}", field(s)),
    }
}

fn parse_trap(token: &str) -> Option<TrapKind> {
    Some(match token {
        "unreachable" => TrapKind::Unreachable,
        "memory-out-of-bounds" => TrapKind::MemoryOutOfBounds,
        "table-out-of-bounds" => TrapKind::TableOutOfBounds,
        "indirect-call-null" => TrapKind::IndirectCallNull,
        "indirect-call-bad-signature" => TrapKind::IndirectCallBadSignature,
        "integer-divide-by-zero" => TrapKind::IntegerDivideByZero,
        "integer-overflow" => TrapKind::IntegerOverflow,
        "bad-conversion-to-integer" => TrapKind::BadConversionToInteger,
        "null-reference" => TrapKind::NullReference,
        "cast-failure" => TrapKind::CastFailure,
        other => TrapKind::Other(other.strip_prefix("other:")?.to_string()),
    })
}

/// The stable token of an observation class.
pub fn class_token(class: &ObservedClass) -> String {
    match class {
        ObservedClass::Return => "return".into(),
        ObservedClass::Trap(k) => format!("trap:{}", trap_token(k)),
        ObservedClass::Exception(Some(i)) => format!("exn:tag{i}"),
        ObservedClass::Exception(None) => "exn:foreign".into(),
        ObservedClass::Exhaustion(e) => format!("exhausted:{}", field(e)),
        ObservedClass::Crash(site) => format!("crash:{}", field(site)),
        ObservedClass::Rejected(e) => format!("rejected:{}", field(e)),
    }
}

fn parse_class(token: &str) -> Option<ObservedClass> {
    if token == "return" {
        return Some(ObservedClass::Return);
    }
    let (head, rest) = token.split_once(':')?;
    Some(match head {
        "trap" => ObservedClass::Trap(parse_trap(rest)?),
        "exn" if rest == "foreign" => ObservedClass::Exception(None),
        "exn" => ObservedClass::Exception(Some(rest.strip_prefix("tag")?.parse().ok()?)),
        "exhausted" => ObservedClass::Exhaustion(rest.to_string()),
        "crash" => ObservedClass::Crash(rest.to_string()),
        "rejected" => ObservedClass::Rejected(rest.to_string()),
        _ => return None,
    })
}

impl fmt::Display for BucketKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BucketKey::Divergence {
                kind,
                expected,
                dissent,
            } => {
                write!(f, "{}|expected={}", kind.name(), class_token(expected))?;
                for side in dissent {
                    write!(
                        f,
                        "|{}={}",
                        side.engines.join("+"),
                        class_token(&side.class)
                    )?;
                }
                Ok(())
            }
            BucketKey::Crash { engine, site } => {
                write!(f, "engine-crash|engine={engine}|site={}", field(site))
            }
            BucketKey::ProcessCrash { engine, signal } => write!(
                f,
                "process-crash|engine={}|signal={signal}",
                engine.as_deref().unwrap_or("not-reproduced")
            ),
            BucketKey::Known { name } => write!(f, "known|{name}"),
        }
    }
}

impl FromStr for BucketKey {
    type Err = KeyError;

    fn from_str(text: &str) -> Result<BucketKey, KeyError> {
        let bad = |reason: &str| KeyError {
            text: text.to_string(),
            reason: reason.to_string(),
        };
        let parts: Vec<&str> = text.split('|').collect();
        let named = |part: &str, name: &str| -> Result<String, KeyError> {
            part.strip_prefix(name)
                .and_then(|r| r.strip_prefix('='))
                .map(str::to_string)
                .ok_or_else(|| bad(&format!("expected `{name}=...`, found `{part}`")))
        };
        match parts[0] {
            "known" if parts.len() == 2 && !parts[1].is_empty() => Ok(BucketKey::known(parts[1])),
            "engine-crash" if parts.len() == 3 && parts[1].starts_with("engine=") => {
                Ok(BucketKey::Crash {
                    engine: named(parts[1], "engine")?,
                    site: named(parts[2], "site")?,
                })
            }
            "process-crash" if parts.len() == 3 => {
                let engine = named(parts[1], "engine")?;
                Ok(BucketKey::ProcessCrash {
                    engine: (engine != "not-reproduced").then_some(engine),
                    signal: named(parts[2], "signal")?,
                })
            }
            kind => {
                let kind = DivergenceKind::from_name(kind)
                    .ok_or_else(|| bad(&format!("unknown kind `{kind}`")))?;
                if parts.len() < 3 {
                    return Err(bad(
                        "a divergence names its expected class and a dissenting side",
                    ));
                }
                let expected = parse_class(&named(parts[1], "expected")?)
                    .ok_or_else(|| bad("unknown expected class"))?;
                let mut dissent = Vec::new();
                for part in &parts[2..] {
                    let (engines, class) = part
                        .split_once('=')
                        .ok_or_else(|| bad(&format!("a side is `engines=class`: `{part}`")))?;
                    let class = parse_class(class)
                        .ok_or_else(|| bad(&format!("unknown class in `{part}`")))?;
                    let engines: Vec<String> = engines.split('+').map(str::to_string).collect();
                    if engines.iter().any(String::is_empty) {
                        return Err(bad(&format!("an empty engine name in `{part}`")));
                    }
                    dissent.push(Side { engines, class });
                }
                Ok(BucketKey::Divergence {
                    kind,
                    expected,
                    dissent,
                })
            }
        }
    }
}

impl serde::Serialize for BucketKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for BucketKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<BucketKey, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oracles::compare::Group;

    fn classes() -> Vec<ObservedClass> {
        vec![
            ObservedClass::Return,
            ObservedClass::Trap(TrapKind::MemoryOutOfBounds),
            ObservedClass::Trap(TrapKind::Other("wasm trap: odd | thing".into())),
            ObservedClass::Trap(TrapKind::IntegerOverflow),
            ObservedClass::Exception(Some(3)),
            ObservedClass::Exception(None),
            ObservedClass::Exhaustion("fuel".into()),
            ObservedClass::Crash("wasmtime-48.0.8/src/a.rs:12".into()),
            ObservedClass::Rejected("invalid".into()),
        ]
    }

    /// Every key built from kinds, classes and engine sets reads back as itself.
    #[test]
    fn display_and_from_str_round_trip() {
        let engines = ["cranelift", "cranelift-o0", "pulley", "wasmi", "planted"];
        let mut n = 0;
        for (ki, kind) in DivergenceKind::ALL.into_iter().enumerate() {
            for (ei, expected) in classes().into_iter().enumerate() {
                for (di, class) in classes().into_iter().enumerate() {
                    let pick = (ki + ei + di) % engines.len();
                    let mut side: Vec<String> =
                        engines[pick..].iter().map(|s| s.to_string()).collect();
                    side.sort();
                    let mut dissent = vec![Side {
                        engines: side,
                        class: class.clone(),
                    }];
                    if di % 3 == 0 {
                        dissent.push(Side {
                            engines: vec!["winch".into()],
                            class: ObservedClass::Trap(TrapKind::Unreachable),
                        });
                    }
                    let key = BucketKey::Divergence {
                        kind,
                        expected: expected.clone(),
                        dissent,
                    };
                    let text = key.to_string();
                    let mut expected_key = key.clone();
                    // Free text loses its bars (they separate fields).
                    if text.contains("odd / thing") {
                        expected_key = text.parse().unwrap();
                        assert_eq!(expected_key.to_string(), text);
                    }
                    assert_eq!(text.parse::<BucketKey>(), Ok(expected_key), "{text}");
                    n += 1;
                }
            }
        }
        assert!(n > 900);
        for key in [
            BucketKey::Crash {
                engine: "wasmtime".into(),
                site: "wasmtime-48.0.8/src/runtime/vm/memory.rs:412".into(),
            },
            BucketKey::ProcessCrash {
                engine: Some("planted-abort".into()),
                signal: "SIGABRT".into(),
            },
            BucketKey::ProcessCrash {
                engine: None,
                signal: "SIGSEGV".into(),
            },
            BucketKey::known("wasmi-select-eqz"),
        ] {
            assert_eq!(key.to_string().parse::<BucketKey>(), Ok(key.clone()));
        }
    }

    #[test]
    fn text_forms_are_stable() {
        let key = BucketKey::Divergence {
            kind: DivergenceKind::TrapVsReturn,
            expected: ObservedClass::Trap(TrapKind::MemoryOutOfBounds),
            dissent: vec![Side {
                engines: vec!["cranelift".into(), "cranelift-o0".into()],
                class: ObservedClass::Return,
            }],
        };
        assert_eq!(
            key.to_string(),
            "trap-vs-return|expected=trap:memory-out-of-bounds|cranelift+cranelift-o0=return"
        );
        assert_eq!(key.dir_name(), key.dir_name());
        assert!(key.dir_name().starts_with("trap-vs-return-cranelift-"));
        assert_eq!(BucketKey::known("x").dir_name(), "known-x");
        for bad in [
            "",
            "value-mismatch",
            "value-mismatch|reference=return|cranelift=return|exceptions",
            "no-such-kind|expected=return|a=return",
            "engine-crash|engine=x",
            "value-mismatch|expected=return|=return",
        ] {
            assert!(bad.parse::<BucketKey>().is_err(), "{bad}");
        }
    }

    #[test]
    fn crash_keys_hold_the_family_and_site_only() {
        let site = ObservedClass::Crash("wasmtime-48.0.8/src/x.rs:9".into());
        let d = |crashing: &[&str], agreeing: &[&str]| Divergence {
            kind: DivergenceKind::EngineCrash,
            step: 1,
            groups: vec![
                Group {
                    engines: agreeing.iter().map(|s| s.to_string()).collect(),
                    observed: "ok".into(),
                    class: ObservedClass::Return,
                },
                Group {
                    engines: crashing.iter().map(|s| s.to_string()).collect(),
                    observed: "CRASH".into(),
                    class: site.clone(),
                },
            ],
            oracle: Some("reference".into()),
            detail: String::new(),
            suspect: String::new(),
        };
        let a = BucketKey::of(&d(&["cranelift", "winch"], &["reference", "wasmi"]));
        let b = BucketKey::of(&d(&["pulley"], &["reference"]));
        assert_eq!(a, b);
        assert_eq!(
            a.to_string(),
            "engine-crash|engine=wasmtime|site=wasmtime-48.0.8/src/x.rs:9"
        );
    }
}
