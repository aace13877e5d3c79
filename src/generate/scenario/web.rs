//! The exception web: tags with multi-value payloads, web functions that throw, call each other
//! (directly, through the table, by tail call) and catch under nested `try_table`s, entry
//! functions that reset the call budget, and optionally memories, a start function and the
//! memory64 kernels.

use super::body::FuncBuilder;
use super::config::{ScenarioConfig, Shape, Start, TableChoice};
use super::mem64;
use super::{Entry, FuncDecl, Global, Layout, Mem, Role, Scenario, Sig, Table, Ty, Types};
use crate::generate::GeneratorKind;
use crate::generate::addresses;
use crate::generate::choices::Choices;
use oracles::Val;

/// Builds a scenario module from `cfg`: the layout first, then every body.
pub fn build(c: &mut Choices, cfg: &ScenarioConfig) -> Scenario {
    let mut types = Types::default();
    let mut layout = Layout {
        budget: cfg.budget,
        ..Layout::default()
    };
    let pool: Vec<Ty> = if cfg.ref_types {
        Ty::ALL.to_vec()
    } else {
        vec![Ty::I32, Ty::I64, Ty::F32, Ty::F64]
    };

    plan_tags(c, cfg, &pool, &mut types, &mut layout);
    plan_sigs(c, cfg, &pool, &mut types, &mut layout);
    plan_memories(c, cfg, &mut layout);
    plan_globals(cfg, &mut layout);

    // Functions: the web, then entries, then the start function, then kernels.
    for i in 0..cfg.funcs {
        let sig = c.below(layout.sigs.len() as u64) as usize;
        layout.funcs.push(FuncDecl {
            sig,
            name: format!("f{i}"),
            callable: true,
        });
    }
    let mut targets = Vec::new();
    for k in 0..cfg.entries.min(cfg.funcs) {
        let target = if k == 0 {
            0
        } else {
            c.below(u64::from(cfg.funcs)) as u32
        };
        targets.push(target);
        layout.funcs.push(FuncDecl {
            sig: layout.funcs[target as usize].sig,
            name: format!("run{k}"),
            callable: false,
        });
    }
    if cfg.start != Start::None {
        let type_index = types.intern(&[], &[]);
        layout.sigs.push(Sig {
            params: vec![],
            results: vec![],
            type_index,
        });
        layout.start = Some(layout.funcs.len() as u32);
        layout.funcs.push(FuncDecl {
            sig: layout.sigs.len() - 1,
            name: "start".into(),
            callable: false,
        });
    }
    let kernels = mem64::plan_kernels(c, cfg, &mut types, &mut layout);

    if cfg.table != TableChoice::None {
        let elements: Vec<u32> = (0..cfg.funcs).collect();
        layout.table = Some(Table {
            table64: cfg.table == TableChoice::Table64,
            size: u64::from(cfg.funcs) + c.below(3),
            elements,
        });
    }

    // Bodies.
    let mut bodies = Vec::new();
    for f in 0..layout.funcs.len() as u32 {
        let mut b = FuncBuilder::new(&layout, &mut types, cfg, f);
        let decl = &layout.funcs[f as usize];
        if decl.callable {
            b.budget_prologue();
            if c.chance(u64::from(cfg.throw_first_percent), 100) {
                b.stmt_throw(c);
            }
            b.statements(c);
            b.epilogue(c);
        } else if let Some(target) = decl
            .name
            .strip_prefix("run")
            .and_then(|k| k.parse::<usize>().ok())
            .and_then(|k| targets.get(k))
        {
            b.entry_body(c, *target, cfg.entry_catch_percent);
        } else if Some(f) == layout.start {
            b.start_body(c, cfg.start);
        } else if let Some(kernel) = kernels.get(&f) {
            mem64::kernel_body(c, &mut b, kernel, &layout);
        } else {
            b.epilogue(c);
        }
        bodies.push(b.finish());
    }
    let wasm = layout.encode(&types, bodies);

    // Entries for the plan.
    let mut entries = Vec::new();
    for f in 0..layout.funcs.len() as u32 {
        let decl = &layout.funcs[f as usize];
        let sig = layout.sig_of(f);
        let weight = if let Some(kernel) = kernels.get(&f) {
            entries.push(Entry {
                name: decl.name.clone(),
                params: sig.params.iter().map(|t| t.val_type()).collect(),
                hints: kernel.hints.clone(),
                hint_percent: kernel.hint_percent.clone(),
                weight: 4,
            });
            continue;
        } else if decl.name == "run0" {
            6
        } else if decl.name.starts_with("run") {
            3
        } else if decl.callable {
            1
        } else {
            continue;
        };
        let hints = sig
            .params
            .iter()
            .map(|&t| web_hints(c, &layout, t))
            .collect();
        entries.push(Entry {
            name: decl.name.clone(),
            params: sig.params.iter().map(|t| t.val_type()).collect(),
            hint_percent: vec![50; sig.params.len()],
            hints,
            weight,
        });
    }
    let mut config = cfg.describe();
    if layout.table.as_ref().is_some_and(|t| t.table64) {
        config.push_str(" table64");
    }
    Scenario {
        wasm,
        entries,
        generator: match (cfg.kernels > 0, cfg.shape) {
            (true, _) => GeneratorKind::Mem64,
            (false, Shape::Chain) => GeneratorKind::ThrowChain,
            (false, Shape::Web) => GeneratorKind::ThrowWeb,
        },
        config,
    }
}

/// Tags (knobs `tags`, `max_payload`, `twin_tags`): payloads of 0..=`max_payload` values
/// drawn from `pool`; with `twin_tags` the second tag repeats the first one's types.
fn plan_tags(
    c: &mut Choices,
    cfg: &ScenarioConfig,
    pool: &[Ty],
    types: &mut Types,
    l: &mut Layout,
) {
    for t in 0..cfg.tags {
        let payload: Vec<Ty> = if cfg.twin_tags && t == 1 {
            l.tags[0].0.clone()
        } else {
            (0..c.range32(0, cfg.max_payload))
                .map(|_| *c.pick(pool))
                .collect()
        };
        let ty = types.intern(&payload, &[]);
        l.tags.push((payload, ty));
    }
}

/// Signatures of web functions (knob `sigs`): an `i32` selector and an `i64` address, up to
/// two more parameters, up to two results (multi-value), drawn from `pool`.
fn plan_sigs(
    c: &mut Choices,
    cfg: &ScenarioConfig,
    pool: &[Ty],
    types: &mut Types,
    l: &mut Layout,
) {
    for _ in 0..cfg.sigs.max(1) {
        let mut params = vec![Ty::I32, Ty::I64];
        for _ in 0..c.below(3) {
            params.push(*c.pick(pool));
        }
        let results: Vec<Ty> = (0..c.below(3)).map(|_| *c.pick(pool)).collect();
        let type_index = types.intern(&params, &results);
        l.sigs.push(Sig {
            params,
            results,
            type_index,
        });
    }
}

/// Memories (knob `memories`) and their data: an active segment ending exactly at the
/// initial bound, another at offset 0, and `passive_data` passive segments.
fn plan_memories(c: &mut Choices, cfg: &ScenarioConfig, l: &mut Layout) {
    for (i, m) in cfg.memories.iter().enumerate() {
        l.mems.push(Mem {
            mem64: m.mem64,
            min: m.min,
            max: m.max,
        });
        let bytes = m.min * addresses::PAGE;
        if bytes > 0 {
            let len = c.range(1, 32);
            let data: Vec<u8> = (0..len).map(|_| c.bits() as u8).collect();
            l.active_data.push((i as u32, bytes - len, data));
            if c.chance(1, 2) {
                let data: Vec<u8> = (0..c.range(1, 16)).map(|_| c.bits() as u8).collect();
                l.active_data.push((i as u32, 0, data));
            }
        }
    }
    if !l.mems.is_empty() {
        for _ in 0..cfg.passive_data {
            let data: Vec<u8> = (0..c.range(0, 64)).map(|_| c.bits() as u8).collect();
            l.passive_data.push(data);
        }
    }
}

/// Globals: the budget, the handler counter, scratch values of every type, `exn_globals`
/// exnref globals, and one grow-result global per memory.
fn plan_globals(cfg: &ScenarioConfig, l: &mut Layout) {
    l.globals.push(Global {
        ty: Ty::I32,
        role: Role::Budget,
    });
    l.globals.push(Global {
        ty: Ty::I32,
        role: Role::Counter,
    });
    let mut scratch = vec![Ty::I32, Ty::I64, Ty::F32, Ty::F64];
    if cfg.ref_types {
        scratch.push(Ty::Extern);
    }
    for _ in 0..cfg.exn_globals {
        scratch.push(Ty::Exn);
    }
    for ty in scratch {
        l.globals.push(Global {
            ty,
            role: Role::Scratch,
        });
    }
    for (m, mem) in l.mems.iter().enumerate() {
        l.globals.push(Global {
            ty: mem.addr(),
            role: Role::Grow(m as u32),
        });
    }
}

/// Values worth passing for a parameter of type `ty` of a web function or entry: for the
/// address parameter, interesting addresses for the first memory; nothing special otherwise
/// (boundary values come with every parameter).
fn web_hints(c: &mut Choices, l: &Layout, ty: Ty) -> Vec<Val> {
    match (ty, l.mems.first()) {
        (Ty::I64, Some(m)) => (0..6)
            .map(|_| Val::I64(addresses::interesting(c, m.min_bytes(), true, 8) as i64))
            .collect(),
        (Ty::I32, _) => (0..4).map(|_| Val::I32(c.bits() as i32)).collect(),
        (Ty::Extern, _) => vec![Val::ExternRef(Some(1)), Val::ExternRef(Some(2))],
        _ => Vec::new(),
    }
}
