//! Invocation plans for generated modules: a bounded number of calls to exported functions,
//! with boundary-biased arguments (and, for scenarios, the values that drive their paths),
//! ordered so that each call runs on the state the previous ones left.

use crate::generate::args::{arg_sets, value};
use crate::generate::reshape::REFUEL_PREFIX;
use crate::generate::rng::Rng;
use crate::generate::scenario::Entry;
use oracles::differential::{Call, Plan};
use oracles::{ItemKind, ModuleInfo, Val, ValType};

/// The most calls in one plan: every call is followed by a snapshot on every engine.
pub const MAX_CALLS: usize = 24;

/// The most argument sets one function of a wasm-smith module gets.
const MAX_SETS: usize = 4;

/// A plan for a module without entry knowledge (wasm-smith's): every exported function whose
/// parameters catchall can pass (through its refuelling wrapper when there is one), in an
/// order drawn from `seed`, visited round-robin so that
/// each function runs again after the others changed the state; the first round passes
/// all-zero arguments, later rounds boundary-biased ones (see [`arg_sets`]).
pub fn for_module(wasm: &[u8], seed: u64) -> Plan {
    let Ok(info) = ModuleInfo::parse(wasm) else {
        return Plan::default();
    };
    let funcs = info.count(ItemKind::Func);
    let mut exported: Vec<(String, Vec<ValType>)> = info
        .exported_funcs()
        .filter_map(|(name, _, sig)| Some((name.to_string(), sig?.known_params()?)))
        .collect();
    // Call refuelling wrappers where the module has them (see `Reshape::refuel`).
    if exported.iter().any(|(n, _)| n.starts_with(REFUEL_PREFIX)) {
        exported.retain(|(n, _)| n.starts_with(REFUEL_PREFIX));
    }
    if exported.is_empty() {
        return Plan::default();
    }
    let mut rng = Rng::new(seed);
    shuffle(&mut rng, &mut exported);
    exported.truncate(MAX_CALLS);
    let per_func = (MAX_CALLS / exported.len()).clamp(1, MAX_SETS);
    let sets: Vec<Vec<Vec<Val>>> = exported
        .iter()
        .map(|(_, params)| arg_sets(params, rng.next_u64(), per_func - 1, funcs))
        .collect();
    let mut plan = Plan::default();
    for round in 0..per_func {
        for ((name, _), sets) in exported.iter().zip(&sets) {
            plan.calls.push(Call {
                func: name.clone(),
                args: sets[round].clone(),
            });
        }
    }
    plan
}

/// A plan for a scenario: 8..=[`MAX_CALLS`] calls to its entries chosen by weight, each
/// parameter taking one of the entry's hints as often as the entry says and a
/// boundary-biased value otherwise.
pub fn for_entries(entries: &[Entry], seed: u64, funcs: u32) -> Plan {
    let mut plan = Plan::default();
    if entries.is_empty() {
        return plan;
    }
    let mut rng = Rng::new(seed);
    let calls = 8 + rng.below((MAX_CALLS - 7) as u64) as usize;
    let total: u64 = entries.iter().map(|e| u64::from(e.weight.max(1))).sum();
    for _ in 0..calls {
        let mut x = rng.below(total);
        let entry = entries
            .iter()
            .find(|e| {
                let w = u64::from(e.weight.max(1));
                if x < w {
                    true
                } else {
                    x -= w;
                    false
                }
            })
            .unwrap_or(&entries[0]);
        let args = entry
            .params
            .iter()
            .enumerate()
            .map(|(i, &ty)| match entry.hints.get(i) {
                Some(hints)
                    if !hints.is_empty()
                        && rng.chance(
                            u64::from(entry.hint_percent.get(i).copied().unwrap_or(50)),
                            100,
                        ) =>
                {
                    *rng.pick(hints)
                }
                _ => value(&mut rng, ty, funcs),
            })
            .collect();
        plan.calls.push(Call {
            func: entry.name.clone(),
            args,
        });
    }
    plan
}

fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_plans_visit_every_export_round_robin() {
        let wasm = wat::parse_str(
            r#"(module (func (export "a") (param i32)) (func (export "b") (param i64 f32))
                       (func (export "c")))"#,
        )
        .unwrap();
        let plan = for_module(&wasm, 3);
        assert_eq!(plan.calls.len(), 3 * MAX_SETS);
        let first: Vec<&str> = plan.calls[..3].iter().map(|c| c.func.as_str()).collect();
        let mut sorted = first.clone();
        sorted.sort();
        assert_eq!(sorted, ["a", "b", "c"]);
        assert!(
            plan.calls[..3]
                .iter()
                .all(|c| c.args.iter().all(|v| *v == v.ty().default_value()))
        );
        assert_eq!(plan, for_module(&wasm, 3));
    }

    #[test]
    fn scenario_plans_use_hints_and_stay_bounded() {
        let entries = vec![Entry {
            name: "load0".into(),
            params: vec![ValType::I64],
            hints: vec![vec![Val::I64(0x1234_5678_9abc)]],
            hint_percent: vec![50],
            weight: 1,
        }];
        let plan = for_entries(&entries, 7, 1);
        assert!((8..=MAX_CALLS).contains(&plan.calls.len()));
        assert!(
            plan.calls
                .iter()
                .any(|c| c.args == [Val::I64(0x1234_5678_9abc)])
        );
        assert!(
            plan.calls
                .iter()
                .any(|c| c.args != [Val::I64(0x1234_5678_9abc)])
        );
    }
}
