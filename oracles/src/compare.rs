//! The comparator: from every engine's observation of one step to a `Verdict` — `Agree`,
//! `Poisoned` (spec-permitted nondeterminism, named and counted) or `Diverge` (a finding, with
//! the engines grouped by what they observed and a suspect named).

use crate::engine::EngineKind;
use crate::outcome::{ModuleError, Outcome, Snapshot, TrapKind, crash_site};
use crate::value::{NanClass, Val, display_list};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How NaN bit patterns are compared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NanPolicy {
    /// NaN bits must be identical. Right for generated code that canonicalizes every NaN its
    /// arithmetic produces: any remaining difference in NaN bits is a bug.
    Exact,
    /// Two arithmetic NaNs (quiet bit set) with different payloads are spec-permitted
    /// nondeterminism: the case is poisoned with reason `nan-payload`. A signalling NaN against
    /// anything else still diverges (only bit-preserving operators can produce one).
    #[default]
    ArithmeticPoisons,
}

/// The comparator's configuration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ComparePolicy {
    /// NaN handling.
    pub nan: NanPolicy,
}

/// What one engine observed in one step.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// The step's result: `Err` when the module was rejected before running (instantiation
    /// steps only).
    pub outcome: Result<Outcome<Vec<Val>>, ModuleError>,
    /// The instance's state after the step, when there is an instance.
    pub snapshot: Option<Snapshot>,
}

impl Observation {
    /// The observation written as a table cell (`i32:7`, `trap oob`, `exn $e(i32:1)`).
    pub fn cell(&self) -> String {
        match &self.outcome {
            Ok(o) => o.to_string(),
            Err(e) => e.kind_name().to_string(),
        }
    }
}

/// Why a case stopped being compared without a divergence.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PoisonReason {
    /// An engine ran out of a resource (the [`crate::Exhaustion`] name).
    Exhaustion(String),
    /// Arithmetic NaNs with different payloads.
    NanPayload,
}

impl PoisonReason {
    /// The reason's stable name, as counted in statistics (`fuel`, `call-stack`, `nan-payload`).
    pub fn name(&self) -> &str {
        match self {
            PoisonReason::Exhaustion(e) => e,
            PoisonReason::NanPayload => "nan-payload",
        }
    }
}

impl fmt::Display for PoisonReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What kind of difference a divergence is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DivergenceKind {
    /// Both returned, with different values.
    ValueMismatch,
    /// One trapped, the other returned.
    TrapVsReturn,
    /// Both trapped, with different kinds.
    TrapKindMismatch,
    /// One threw to the host, the other trapped.
    ExceptionVsTrap,
    /// One threw to the host, the other returned.
    ExceptionVsReturn,
    /// Both threw, with different tags.
    ExceptionTagMismatch,
    /// Both threw the same tag, with different payloads (or an exception object the host saw
    /// differs).
    ExceptionPayloadMismatch,
    /// Compiling or instantiating differed (one rejected or trapped, the other did not).
    InstantiationMismatch,
    /// Same result, different memory (size, index type or contents).
    MemoryMismatch,
    /// Same result, different globals.
    GlobalMismatch,
    /// Same result, different tables.
    TableMismatch,
    /// An engine crashed (panic or internal error).
    EngineCrash,
}

impl DivergenceKind {
    /// The kind's stable kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            DivergenceKind::ValueMismatch => "value-mismatch",
            DivergenceKind::TrapVsReturn => "trap-vs-return",
            DivergenceKind::TrapKindMismatch => "trap-kind-mismatch",
            DivergenceKind::ExceptionVsTrap => "exception-vs-trap",
            DivergenceKind::ExceptionVsReturn => "exception-vs-return",
            DivergenceKind::ExceptionTagMismatch => "exception-tag-mismatch",
            DivergenceKind::ExceptionPayloadMismatch => "exception-payload-mismatch",
            DivergenceKind::InstantiationMismatch => "instantiation-mismatch",
            DivergenceKind::MemoryMismatch => "memory-mismatch",
            DivergenceKind::GlobalMismatch => "global-mismatch",
            DivergenceKind::TableMismatch => "table-mismatch",
            DivergenceKind::EngineCrash => "engine-crash",
        }
    }

    /// The kind with this [`DivergenceKind::name`].
    pub fn from_name(name: &str) -> Option<DivergenceKind> {
        DivergenceKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Every kind, in declaration order.
    pub const ALL: [DivergenceKind; 12] = [
        DivergenceKind::ValueMismatch,
        DivergenceKind::TrapVsReturn,
        DivergenceKind::TrapKindMismatch,
        DivergenceKind::ExceptionVsTrap,
        DivergenceKind::ExceptionVsReturn,
        DivergenceKind::ExceptionTagMismatch,
        DivergenceKind::ExceptionPayloadMismatch,
        DivergenceKind::InstantiationMismatch,
        DivergenceKind::MemoryMismatch,
        DivergenceKind::GlobalMismatch,
        DivergenceKind::TableMismatch,
        DivergenceKind::EngineCrash,
    ];
}

impl fmt::Display for DivergenceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What kind of thing an engine observed in a step, without its values: what a bucket key
/// holds of an observation (a trap's kind, an exception's tag, a crash's site), typed so that
/// no display text is ever parsed back.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "class", content = "detail")]
pub enum ObservedClass {
    /// The step completed (whatever the values; a state difference shows in the kind).
    Return,
    /// A trap of this kind.
    Trap(TrapKind),
    /// An exception escaped, of the tag at this index of the instance (`None`: a tag of no
    /// index space of the instance).
    Exception(Option<u32>),
    /// A resource ran out (the [`crate::Exhaustion`] name).
    Exhaustion(String),
    /// The engine crashed at this normalized site ([`crate::outcome::crash_site`]).
    Crash(String),
    /// The module was rejected before running (the [`ModuleError`] kind name).
    Rejected(String),
}

impl ObservedClass {
    /// The class of an observation.
    pub fn of(o: &Observation) -> ObservedClass {
        match &o.outcome {
            Ok(Outcome::Return(_)) => ObservedClass::Return,
            Ok(Outcome::Trap(t)) => ObservedClass::Trap(t.kind.clone()),
            Ok(Outcome::Exception(e)) => ObservedClass::Exception(e.tag.index),
            Ok(Outcome::Exhaustion(e)) => ObservedClass::Exhaustion(e.name().to_string()),
            Ok(Outcome::Crash(message)) => ObservedClass::Crash(crash_site(message)),
            Err(ModuleError::Internal(message)) => ObservedClass::Crash(crash_site(message)),
            Err(e) => ObservedClass::Rejected(e.kind_name().to_string()),
        }
    }
}

/// Engines that observed the same thing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// The engines, in the order they were given.
    pub engines: Vec<String>,
    /// What they observed, as a table cell (for people).
    pub observed: String,
    /// What kind of thing they observed (for bucket keys).
    pub class: ObservedClass,
}

/// A difference between engines in one step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Divergence {
    /// What differs.
    pub kind: DivergenceKind,
    /// The step (0 is instantiation).
    pub step: usize,
    /// The engines grouped by observation; the oracle's group first.
    pub groups: Vec<Group>,
    /// The oracle engine, when one took part.
    pub oracle: Option<String>,
    /// Human-readable detail: which value, which memory, which global.
    pub detail: String,
    /// Which engine or component is most likely at fault, by engine voting.
    pub suspect: String,
}

/// The verdict on one step, or on a whole case (the first non-`Agree` step decides).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "verdict")]
pub enum Verdict {
    /// Every engine observed the same.
    Agree,
    /// Spec-permitted nondeterminism was hit; later steps are not compared.
    Poisoned {
        /// Why.
        reason: PoisonReason,
        /// The step.
        step: usize,
    },
    /// Engines differ: a finding.
    Diverge(Divergence),
}

impl Verdict {
    /// `agree`, `poisoned` or `diverge`.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Agree => "agree",
            Verdict::Poisoned { .. } => "poisoned",
            Verdict::Diverge(_) => "diverge",
        }
    }
}

/// Compares every engine's observation of step `step`. `oracle` names the engine whose view
/// leads (the reference interpreter when it runs).
pub fn compare_step(
    step: usize,
    observations: &[(&str, &Observation)],
    oracle: Option<&str>,
    policy: ComparePolicy,
) -> Verdict {
    if observations.len() < 2 {
        return Verdict::Agree;
    }
    let crashed = observations.iter().any(|(_, o)| {
        matches!(
            o.outcome,
            Ok(Outcome::Crash(_)) | Err(ModuleError::Internal(_))
        )
    });
    if !crashed
        && let Some(reason) = observations.iter().find_map(|(_, o)| match &o.outcome {
            Ok(Outcome::Exhaustion(e)) => Some(e.name().to_string()),
            _ => None,
        })
    {
        return Verdict::Poisoned {
            reason: PoisonReason::Exhaustion(reason),
            step,
        };
    }
    let groups = partition(observations, |a, b| equal(a, b, NanMode::Exact));
    if groups.len() == 1 {
        return Verdict::Agree;
    }
    if !crashed && policy.nan == NanPolicy::ArithmeticPoisons {
        let lenient = partition(observations, |a, b| equal(a, b, NanMode::ArithmeticEqual));
        if lenient.len() == 1 {
            return Verdict::Poisoned {
                reason: PoisonReason::NanPayload,
                step,
            };
        }
    }
    Verdict::Diverge(divergence(step, observations, groups, oracle))
}

/// Partitions observations into groups of equal ones, keeping first-seen order.
fn partition(
    observations: &[(&str, &Observation)],
    eq: impl Fn(&Observation, &Observation) -> bool,
) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, (_, o)) in observations.iter().enumerate() {
        match groups.iter_mut().find(|g| eq(observations[g[0]].1, o)) {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    groups
}

fn divergence(
    step: usize,
    observations: &[(&str, &Observation)],
    mut groups: Vec<Vec<usize>>,
    oracle: Option<&str>,
) -> Divergence {
    let oracle_present = oracle.filter(|o| observations.iter().any(|(n, _)| n == o));
    // The leading group: the oracle's, else the largest.
    let lead = match oracle_present {
        Some(o) => groups
            .iter()
            .position(|g| g.iter().any(|&i| observations[i].0 == o))
            .unwrap_or(0),
        None => (0..groups.len())
            .max_by_key(|&g| (groups[g].len(), std::cmp::Reverse(g)))
            .unwrap_or(0),
    };
    let lead_group = groups.remove(lead);
    groups.insert(0, lead_group);
    // A crash is reported as such, whichever group it is in.
    let crash = observations.iter().find(|(_, o)| {
        matches!(
            o.outcome,
            Ok(Outcome::Crash(_)) | Err(ModuleError::Internal(_))
        )
    });
    let a = observations[groups[0][0]].1;
    let b = observations[groups[1][0]].1;
    let (kind, detail) = match crash {
        Some((name, o)) => (
            DivergenceKind::EngineCrash,
            format!("{name} crashed: {}", o.cell()),
        ),
        None => classify(step, a, b),
    };
    let named: Vec<Group> = groups
        .iter()
        .map(|g| Group {
            engines: g.iter().map(|&i| observations[i].0.to_string()).collect(),
            observed: observations[g[0]].1.cell(),
            class: ObservedClass::of(observations[g[0]].1),
        })
        .collect();
    let suspect = suspect(&named, oracle_present);
    Divergence {
        kind,
        step,
        groups: named,
        oracle: oracle_present.map(str::to_string),
        detail,
        suspect,
    }
}

/// Decides the divergence kind between the leading observation `a` and a dissenting `b`.
fn classify(step: usize, a: &Observation, b: &Observation) -> (DivergenceKind, String) {
    use DivergenceKind as K;
    let (oa, ob) = match (&a.outcome, &b.outcome) {
        (Ok(oa), Ok(ob)) => (oa, ob),
        (x, y) => {
            return (
                K::InstantiationMismatch,
                format!("{} vs {}", describe_result(x), describe_result(y)),
            );
        }
    };
    if !outcome_equal(oa, ob, NanMode::Exact) {
        let detail = format!("{oa} vs {ob}");
        let kind = match (oa, ob) {
            _ if step == 0 => K::InstantiationMismatch,
            (Outcome::Return(_), Outcome::Return(_)) => K::ValueMismatch,
            (Outcome::Trap(_), Outcome::Return(_)) | (Outcome::Return(_), Outcome::Trap(_)) => {
                K::TrapVsReturn
            }
            (Outcome::Trap(_), Outcome::Trap(_)) => K::TrapKindMismatch,
            (Outcome::Exception(_), Outcome::Trap(_))
            | (Outcome::Trap(_), Outcome::Exception(_)) => K::ExceptionVsTrap,
            (Outcome::Exception(x), Outcome::Exception(y)) => {
                if x.tag != y.tag {
                    K::ExceptionTagMismatch
                } else {
                    K::ExceptionPayloadMismatch
                }
            }
            _ => K::ExceptionVsReturn,
        };
        return (kind, detail);
    }
    match (&a.snapshot, &b.snapshot) {
        (Some(sa), Some(sb)) => classify_state(sa, sb),
        _ => (
            K::InstantiationMismatch,
            "one engine has an instance, the other none".into(),
        ),
    }
}

fn describe_result(r: &Result<Outcome<Vec<Val>>, ModuleError>) -> String {
    match r {
        Ok(o) => o.to_string(),
        Err(e) => e.to_string(),
    }
}

/// The first difference between two snapshots (whose outcomes agree).
fn classify_state(a: &Snapshot, b: &Snapshot) -> (DivergenceKind, String) {
    use DivergenceKind as K;
    if a.memories != b.memories {
        let detail = match a.memories.iter().zip(&b.memories).find(|(x, y)| x != y) {
            Some((x, y)) if x.pages != y.pages => {
                format!("memory {}: {} vs {} pages", x.index, x.pages, y.pages)
            }
            Some((x, y)) if x.index_type != y.index_type => format!(
                "memory {}: index type {} vs {}",
                x.index, x.index_type, y.index_type
            ),
            Some((x, _)) => format!("memory {}: contents differ", x.index),
            None => format!("{} vs {} memories", a.memories.len(), b.memories.len()),
        };
        return (K::MemoryMismatch, detail);
    }
    if !vals_equal_by(&a.globals, &b.globals, |x, y| {
        x.index == y.index && val_equal(&x.value, &y.value, NanMode::Exact)
    }) {
        let detail = match a.globals.iter().zip(&b.globals).find(|(x, y)| x != y) {
            Some((x, y)) => format!("global {}: {} vs {}", x.index, x.value, y.value),
            None => format!("{} vs {} globals", a.globals.len(), b.globals.len()),
        };
        return (K::GlobalMismatch, detail);
    }
    if a.tables != b.tables {
        let detail = match a.tables.iter().zip(&b.tables).find(|(x, y)| x != y) {
            Some((x, y)) if x.size != y.size => {
                format!("table {}: size {} vs {}", x.index, x.size, y.size)
            }
            Some((x, y)) => {
                let at = x
                    .elements
                    .iter()
                    .zip(&y.elements)
                    .position(|(p, q)| p != q)
                    .unwrap_or(0);
                format!(
                    "table {}[{at}]: {} vs {}",
                    x.index,
                    x.elements.get(at).map_or("-".into(), |v| v.to_string()),
                    y.elements.get(at).map_or("-".into(), |v| v.to_string())
                )
            }
            None => format!("{} vs {} tables", a.tables.len(), b.tables.len()),
        };
        return (K::TableMismatch, detail);
    }
    let detail = match a.exceptions.iter().zip(&b.exceptions).find(|(x, y)| x != y) {
        Some((x, y)) => format!(
            "exception {}: {x} vs {y}",
            crate::value::Val::ExnRef(Some(x.id))
        ),
        None => format!(
            "{} vs {} exception objects seen",
            a.exceptions.len(),
            b.exceptions.len()
        ),
    };
    let tags_differ = a
        .exceptions
        .iter()
        .zip(&b.exceptions)
        .any(|(x, y)| x.tag != y.tag);
    (
        if tags_differ {
            K::ExceptionTagMismatch
        } else {
            K::ExceptionPayloadMismatch
        },
        detail,
    )
}

/// Names the likely culprit from which engines sided with which.
///
/// The oracle's group is `groups[0]`. If only the oracle dissents from a unanimous rest, the
/// oracle is suspected; otherwise the engines outside the oracle's group are, named by what
/// they share: every wasmtime configuration (front end or runtime), Cranelift configurations
/// only (a Cranelift backend bug, when Pulley agrees with the oracle), Pulley alone, and so on.
pub fn suspect(groups: &[Group], oracle: Option<&str>) -> String {
    let Some(lead) = groups.first() else {
        return "undetermined".into();
    };
    let dissent: Vec<&str> = groups[1..]
        .iter()
        .flat_map(|g| g.engines.iter().map(String::as_str))
        .collect();
    if let Some(o) = oracle
        && lead.engines == [o]
        && groups.len() == 2
        && dissent.len() >= 2
    {
        return format!("{o} (every other engine agrees)");
    }
    let kinds: Vec<Option<EngineKind>> = dissent.iter().map(|n| EngineKind::from_name(n)).collect();
    let agreeing: Vec<Option<EngineKind>> = lead
        .engines
        .iter()
        .map(|n| EngineKind::from_name(n))
        .collect();
    let all = |pred: fn(EngineKind) -> bool| kinds.iter().all(|k| k.is_some_and(pred));
    let list = dissent.join(", ");
    if all(EngineKind::is_wasmtime) {
        let wasmtime_agrees = agreeing
            .iter()
            .any(|k| k.is_some_and(EngineKind::is_wasmtime));
        if !wasmtime_agrees {
            return format!("wasmtime front end or runtime (every wasmtime configuration: {list})");
        }
        let cranelift = |k: EngineKind| {
            matches!(
                k,
                EngineKind::Cranelift | EngineKind::CraneliftExplicit | EngineKind::CraneliftO0
            )
        };
        if all(cranelift) {
            return format!("cranelift backend ({list}; pulley agrees with the oracle)");
        }
        return format!("wasmtime backend ({list})");
    }
    if dissent.len() == 1 {
        return dissent[0].to_string();
    }
    format!("undetermined ({list} disagree with the oracle)")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum NanMode {
    Exact,
    ArithmeticEqual,
}

fn equal(a: &Observation, b: &Observation, mode: NanMode) -> bool {
    let outcomes = match (&a.outcome, &b.outcome) {
        (Ok(x), Ok(y)) => outcome_equal(x, y, mode),
        (Err(x), Err(y)) => x.kind_name() == y.kind_name(),
        _ => false,
    };
    outcomes
        && match (&a.snapshot, &b.snapshot) {
            (Some(x), Some(y)) => snapshot_equal(x, y, mode),
            (None, None) => true,
            _ => false,
        }
}

fn outcome_equal(a: &Outcome<Vec<Val>>, b: &Outcome<Vec<Val>>, mode: NanMode) -> bool {
    match (a, b) {
        (Outcome::Return(x), Outcome::Return(y)) => vals_equal(x, y, mode),
        (Outcome::Exception(x), Outcome::Exception(y)) => {
            x.tag == y.tag && x.id == y.id && vals_equal(&x.payload, &y.payload, mode)
        }
        (Outcome::Trap(x), Outcome::Trap(y)) => x == y,
        (Outcome::Exhaustion(x), Outcome::Exhaustion(y)) => x == y,
        (Outcome::Crash(_), Outcome::Crash(_)) => true,
        _ => false,
    }
}

fn snapshot_equal(a: &Snapshot, b: &Snapshot, mode: NanMode) -> bool {
    a.memories == b.memories
        && a.tables == b.tables
        && vals_equal_by(&a.globals, &b.globals, |x, y| {
            x.index == y.index && val_equal(&x.value, &y.value, mode)
        })
        && vals_equal_by(&a.exceptions, &b.exceptions, |x, y| {
            x.tag == y.tag && x.id == y.id && vals_equal(&x.payload, &y.payload, mode)
        })
}

fn vals_equal(a: &[Val], b: &[Val], mode: NanMode) -> bool {
    vals_equal_by(a, b, |x, y| val_equal(x, y, mode))
}

fn vals_equal_by<T>(a: &[T], b: &[T], eq: impl Fn(&T, &T) -> bool) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| eq(x, y))
}

fn val_equal(a: &Val, b: &Val, mode: NanMode) -> bool {
    if a == b {
        return true;
    }
    mode == NanMode::ArithmeticEqual
        && a.ty() == b.ty()
        && matches!(
            (a.nan_class(), b.nan_class()),
            (
                Some(NanClass::Canonical | NanClass::Arithmetic),
                Some(NanClass::Canonical | NanClass::Arithmetic)
            )
        )
}

/// Writes values for a detail line.
pub fn describe(vals: &[Val]) -> String {
    display_list(vals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{
        Exhaustion, GlobalState, IndexType, MemoryState, TagId, Thrown, Trap, TrapKind,
    };
    use crate::value::ExnId;

    fn ret(vals: Vec<Val>) -> Observation {
        Observation {
            outcome: Ok(Outcome::Return(vals)),
            snapshot: Some(Snapshot::default()),
        }
    }

    fn with(o: Outcome<Vec<Val>>) -> Observation {
        Observation {
            outcome: Ok(o),
            snapshot: Some(Snapshot::default()),
        }
    }

    fn exn(tag: u32, payload: Vec<Val>) -> Outcome<Vec<Val>> {
        Outcome::Exception(Thrown {
            tag: TagId {
                index: Some(tag),
                name: None,
            },
            payload,
            id: ExnId(1),
        })
    }

    fn verdict(obs: &[(&str, &Observation)], policy: NanPolicy) -> Verdict {
        compare_step(1, obs, Some("reference"), ComparePolicy { nan: policy })
    }

    fn kind(v: Verdict) -> DivergenceKind {
        match v {
            Verdict::Diverge(d) => d.kind,
            other => panic!("expected a divergence, got {other:?}"),
        }
    }

    #[test]
    fn identical_observations_agree() {
        let a = ret(vec![Val::I32(1)]);
        assert_eq!(
            verdict(&[("reference", &a), ("cranelift", &a)], NanPolicy::Exact),
            Verdict::Agree
        );
    }

    #[test]
    fn outcome_kinds_are_classified() {
        let r = ret(vec![Val::I32(1)]);
        let r2 = ret(vec![Val::I32(2)]);
        let t = with(Outcome::Trap(Trap::spec(TrapKind::Unreachable)));
        let t2 = with(Outcome::Trap(Trap::spec(TrapKind::MemoryOutOfBounds)));
        let e = with(exn(0, vec![Val::I32(1)]));
        let e_tag = with(exn(1, vec![Val::I32(1)]));
        let e_payload = with(exn(0, vec![Val::I32(2)]));
        let cases: [(&Observation, &Observation, DivergenceKind); 7] = [
            (&r, &r2, DivergenceKind::ValueMismatch),
            (&r, &t, DivergenceKind::TrapVsReturn),
            (&t, &t2, DivergenceKind::TrapKindMismatch),
            (&e, &t, DivergenceKind::ExceptionVsTrap),
            (&r, &e, DivergenceKind::ExceptionVsReturn),
            (&e, &e_tag, DivergenceKind::ExceptionTagMismatch),
            (&e, &e_payload, DivergenceKind::ExceptionPayloadMismatch),
        ];
        for (a, b, k) in cases {
            assert_eq!(
                kind(verdict(
                    &[("reference", a), ("cranelift", b)],
                    NanPolicy::Exact
                )),
                k
            );
        }
    }

    #[test]
    fn state_differences_are_classified() {
        let mem = |digest| Snapshot {
            memories: vec![MemoryState {
                index: 0,
                index_type: IndexType::I64,
                pages: 1,
                digest,
            }],
            ..Snapshot::default()
        };
        let a = Observation {
            outcome: Ok(Outcome::Return(vec![])),
            snapshot: Some(mem(1)),
        };
        let b = Observation {
            outcome: Ok(Outcome::Return(vec![])),
            snapshot: Some(mem(2)),
        };
        assert_eq!(
            kind(verdict(
                &[("reference", &a), ("pulley", &b)],
                NanPolicy::Exact
            )),
            DivergenceKind::MemoryMismatch
        );
        let g = |v| Observation {
            outcome: Ok(Outcome::Return(vec![])),
            snapshot: Some(Snapshot {
                globals: vec![GlobalState {
                    index: 0,
                    value: Val::I64(v),
                }],
                ..Snapshot::default()
            }),
        };
        let (g1, g2) = (g(1), g(2));
        let v = verdict(&[("reference", &g1), ("pulley", &g2)], NanPolicy::Exact);
        let Verdict::Diverge(d) = v else { panic!() };
        assert_eq!(d.kind, DivergenceKind::GlobalMismatch);
        assert_eq!(d.detail, "global 0: i64:1 vs i64:2");
    }

    #[test]
    fn exhaustion_poisons_and_crash_diverges() {
        let r = ret(vec![Val::I32(1)]);
        let x = with(Outcome::Exhaustion(Exhaustion::Fuel));
        assert_eq!(
            verdict(&[("reference", &r), ("cranelift", &x)], NanPolicy::Exact),
            Verdict::Poisoned {
                reason: PoisonReason::Exhaustion("fuel".into()),
                step: 1
            }
        );
        let c = with(Outcome::Crash("panic".into()));
        assert_eq!(
            kind(verdict(
                &[("reference", &x), ("cranelift", &c)],
                NanPolicy::Exact
            )),
            DivergenceKind::EngineCrash
        );
    }

    #[test]
    fn nan_payloads_poison_only_under_the_lenient_policy() {
        let a = ret(vec![Val::F32(0x7fc0_0000)]);
        let b = ret(vec![Val::F32(0xffc0_0001)]);
        assert_eq!(
            verdict(
                &[("reference", &a), ("cranelift", &b)],
                NanPolicy::ArithmeticPoisons
            ),
            Verdict::Poisoned {
                reason: PoisonReason::NanPayload,
                step: 1
            }
        );
        assert_eq!(
            kind(verdict(
                &[("reference", &a), ("cranelift", &b)],
                NanPolicy::Exact
            )),
            DivergenceKind::ValueMismatch
        );
        // A signalling NaN is never excused.
        let s = ret(vec![Val::F32(0x7f80_0001)]);
        assert_eq!(
            kind(verdict(
                &[("reference", &a), ("cranelift", &s)],
                NanPolicy::ArithmeticPoisons
            )),
            DivergenceKind::ValueMismatch
        );
    }

    #[test]
    fn voting_names_the_suspect() {
        let good = ret(vec![Val::I32(1)]);
        let bad = ret(vec![Val::I32(2)]);
        let d = |obs: &[(&str, &Observation)]| match verdict(obs, NanPolicy::Exact) {
            Verdict::Diverge(d) => d,
            other => panic!("{other:?}"),
        };
        let x = d(&[
            ("reference", &good),
            ("cranelift", &bad),
            ("cranelift-o0", &bad),
            ("pulley", &good),
            ("wasmi", &good),
        ]);
        assert!(x.suspect.starts_with("cranelift backend"), "{}", x.suspect);
        assert_eq!(x.groups[0].engines, ["reference", "pulley", "wasmi"]);
        let x = d(&[
            ("reference", &good),
            ("cranelift", &bad),
            ("pulley", &bad),
            ("wasmi", &good),
        ]);
        assert!(x.suspect.starts_with("wasmtime front end"), "{}", x.suspect);
        let x = d(&[
            ("reference", &bad),
            ("cranelift", &good),
            ("pulley", &good),
            ("wasmi", &good),
        ]);
        assert_eq!(x.suspect, "reference (every other engine agrees)");
        let x = d(&[("reference", &good), ("wasmi", &bad), ("cranelift", &good)]);
        assert_eq!(x.suspect, "wasmi");
    }

    #[test]
    fn module_errors_compare_by_kind() {
        let a = Observation {
            outcome: Err(ModuleError::Invalid("type mismatch".into())),
            snapshot: None,
        };
        let b = Observation {
            outcome: Err(ModuleError::Invalid("expected i32".into())),
            snapshot: None,
        };
        let c = Observation {
            outcome: Ok(Outcome::Return(vec![])),
            snapshot: Some(Snapshot::default()),
        };
        assert_eq!(
            compare_step(
                0,
                &[("reference", &a), ("cranelift", &b)],
                Some("reference"),
                ComparePolicy::default()
            ),
            Verdict::Agree
        );
        assert_eq!(
            kind(compare_step(
                0,
                &[("reference", &a), ("cranelift", &c)],
                Some("reference"),
                ComparePolicy::default()
            )),
            DivergenceKind::InstantiationMismatch
        );
    }
}
