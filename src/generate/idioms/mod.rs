//! The idiom generator: small modules whose exported functions are expression trees built from
//! the operand shapes that optimizing compilers (Cranelift's instruction selection, its mid-end
//! rewrites, addressing modes, load sinking) and fast interpreters (wasmi's operator fusion,
//! immediate operands, register reuse across blocks) treat specially, with boundary-biased
//! constants and arguments, so that a miscompiled special case shows in the result.
//!
//! A module is planned in two steps, as the scenarios are: a [`Layout`] fixes every index space
//! (memories with data at both ends, globals with boundary initial values, tags, a table of
//! callees, function signatures) from the [`IdiomConfig`], then bodies are built by
//! [`expr::FnBuilder`] from the rows of [`templates::TEMPLATES`] — one row per idiom: its name,
//! the rule family it aims at, its weight, when it applies and how it is built. Each row leaves
//! exactly one value of the requested type, so any row can be any other row's operand.
//!
//! NaNs: every float value carries whether it may be a NaN with a nondeterministic payload or
//! sign (the result of arithmetic); such values are canonicalized at every point where their
//! bits become observable (function results, stores, global writes, reinterpretations,
//! `copysign`'s sign operand, throw payloads), so engines must agree bit for bit
//! ([`crate::generate::GeneratorKind::canonical_nans`]). NaNs from constants, loads and
//! arguments keep their exact bits through bit-preserving operators.
//!
//! Termination: loops count down from a small trip count, calls go from lower to higher
//! function indices only (no recursion), so every call ends.

pub mod config;
pub mod consts;
pub mod expr;
pub mod funcs;
pub mod templates;

pub use config::IdiomConfig;

use crate::generate::GeneratorKind;
use crate::generate::addresses::PAGE;
use crate::generate::choices::Choices;
use crate::generate::scenario::{Entry, Scenario};
use config::TableChoice;
use expr::FnBuilder;
use oracles::Val;
use std::collections::BTreeSet;
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, DataSection, ElementSection, Elements, ExportKind,
    ExportSection, Function, FunctionSection, GlobalSection, GlobalType, Ieee32, Ieee64,
    MemorySection, MemoryType, RefType, TableSection, TableType, TagKind, TagSection, TagType,
    TypeSection,
};

/// The numeric value types idioms compute with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ty {
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
}

impl Ty {
    /// Every type.
    pub const ALL: [Ty; 4] = [Ty::I32, Ty::I64, Ty::F32, Ty::F64];

    /// The wasm-encoder type.
    pub fn encoder(self) -> wasm_encoder::ValType {
        match self {
            Ty::I32 => wasm_encoder::ValType::I32,
            Ty::I64 => wasm_encoder::ValType::I64,
            Ty::F32 => wasm_encoder::ValType::F32,
            Ty::F64 => wasm_encoder::ValType::F64,
        }
    }

    /// The comparison vocabulary's type.
    pub fn val_type(self) -> oracles::ValType {
        match self {
            Ty::I32 => oracles::ValType::I32,
            Ty::I64 => oracles::ValType::I64,
            Ty::F32 => oracles::ValType::F32,
            Ty::F64 => oracles::ValType::F64,
        }
    }

    /// Its width in bits.
    pub fn bits(self) -> u32 {
        match self {
            Ty::I32 | Ty::F32 => 32,
            Ty::I64 | Ty::F64 => 64,
        }
    }

    /// Whether it is `f32` or `f64`.
    pub fn is_float(self) -> bool {
        matches!(self, Ty::F32 | Ty::F64)
    }

    /// The integer type of the same width.
    pub fn int(self) -> Ty {
        if self.bits() == 64 { Ty::I64 } else { Ty::I32 }
    }

    /// The value with these bits (the low [`Ty::bits`] of `bits`).
    pub fn val(self, bits: u64) -> Val {
        match self {
            Ty::I32 => Val::I32(bits as u32 as i32),
            Ty::I64 => Val::I64(bits as i64),
            Ty::F32 => Val::F32(bits as u32),
            Ty::F64 => Val::F64(bits),
        }
    }

    /// A constant expression with these bits.
    fn const_expr(self, bits: u64) -> ConstExpr {
        match self {
            Ty::I32 => ConstExpr::i32_const(bits as u32 as i32),
            Ty::I64 => ConstExpr::i64_const(bits as i64),
            Ty::F32 => ConstExpr::f32_const(Ieee32::new(bits as u32)),
            Ty::F64 => ConstExpr::f64_const(Ieee64::new(bits)),
        }
    }
}

/// A memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mem {
    /// Whether its index type is `i64`.
    pub mem64: bool,
    /// Minimum size in pages.
    pub min: u64,
    /// Declared maximum in pages.
    pub max: Option<u64>,
}

impl Mem {
    /// The type of its addresses.
    pub fn addr(&self) -> Ty {
        if self.mem64 { Ty::I64 } else { Ty::I32 }
    }

    /// Its initial size in bytes.
    pub fn min_bytes(&self) -> u64 {
        self.min * PAGE
    }
}

/// The function types of a module, interned.
#[derive(Clone, Debug, Default)]
pub struct Types {
    list: Vec<(Vec<wasm_encoder::ValType>, Vec<wasm_encoder::ValType>)>,
}

impl Types {
    /// The index of `params -> results`, added when new.
    pub fn intern(&mut self, params: &[Ty], results: &[Ty]) -> u32 {
        self.intern_raw(
            params.iter().map(|t| t.encoder()).collect(),
            results.iter().map(|t| t.encoder()).collect(),
        )
    }

    /// The index of `params -> results` for any value types, added when new.
    pub fn intern_raw(
        &mut self,
        params: Vec<wasm_encoder::ValType>,
        results: Vec<wasm_encoder::ValType>,
    ) -> u32 {
        if let Some(i) = self
            .list
            .iter()
            .position(|(p, r)| *p == params && *r == results)
        {
            return i as u32;
        }
        self.list.push((params, results));
        (self.list.len() - 1) as u32
    }

    /// The block type `params -> results`.
    pub fn block(&mut self, params: &[Ty], results: &[Ty]) -> BlockType {
        match (params, results) {
            ([], []) => BlockType::Empty,
            ([], [t]) => BlockType::Result(t.encoder()),
            _ => BlockType::FunctionType(self.intern(params, results)),
        }
    }
}

/// A global: its type, mutability and initial bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Global {
    /// Its type.
    pub ty: Ty,
    /// Whether idioms write it (immutable ones are constants wasmi inlines as immediates).
    pub mutable: bool,
    /// Its initial value's bits.
    pub init: u64,
}

/// What a function is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Called by the plan; calls callees.
    Entry,
    /// Called by entries and lower callees (directly, through the table, holding values live
    /// across the call); may end in a tail call to a higher callee.
    Callee {
        /// The callee it tail-calls at its end, if any, and whether through the table.
        tail: Option<(u32, bool)>,
    },
    /// A callee that throws `tag` when a condition on its arguments holds.
    Thrower {
        /// The tag it throws.
        tag: u32,
    },
}

/// A function of the layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuncDecl {
    /// Parameter types.
    pub params: Vec<Ty>,
    /// Result types.
    pub results: Vec<Ty>,
    /// Its type index.
    pub type_index: u32,
    /// What it is for.
    pub role: Role,
    /// Its export name.
    pub name: String,
}

/// Every index space of an idiom module, fixed before any body is built.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// Memories.
    pub mems: Vec<Mem>,
    /// Globals.
    pub globals: Vec<Global>,
    /// Tags: payload types and type index.
    pub tags: Vec<(Vec<Ty>, u32)>,
    /// The table: whether 64-bit, its size, and the functions in its first slots.
    pub table: Option<(bool, u64, Vec<u32>)>,
    /// Functions: entries first, then callees, then throwers.
    pub funcs: Vec<FuncDecl>,
    /// Active data segments: (memory, offset, bytes).
    pub data: Vec<(u32, u64, Vec<u8>)>,
    /// Whether tail calls may be used.
    pub tail_calls: bool,
    /// Whether exceptions may be used.
    pub exceptions: bool,
}

impl Layout {
    /// The functions `f` may call: callees and throwers above it (entries call every one).
    pub fn callable_from(&self, f: u32) -> impl Iterator<Item = u32> + '_ {
        (0..self.funcs.len() as u32)
            .filter(move |&g| g > f && !matches!(self.funcs[g as usize].role, Role::Entry))
    }

    /// The table slot holding function `f`, if it is in the table.
    pub fn slot_of(&self, f: u32) -> Option<u64> {
        let (_, _, elems) = self.table.as_ref()?;
        elems.iter().position(|&e| e == f).map(|i| i as u64)
    }

    /// Encodes the module.
    fn encode(&self, types: &Types, bodies: Vec<Function>) -> Vec<u8> {
        let mut module = wasm_encoder::Module::new();
        let mut type_section = TypeSection::new();
        for (params, results) in &types.list {
            type_section
                .ty()
                .function(params.iter().copied(), results.iter().copied());
        }
        module.section(&type_section);

        let mut functions = FunctionSection::new();
        for f in &self.funcs {
            functions.function(f.type_index);
        }
        module.section(&functions);

        if let Some((table64, size, _)) = &self.table {
            let mut tables = TableSection::new();
            tables.table(TableType {
                element_type: RefType::FUNCREF,
                table64: *table64,
                minimum: *size,
                maximum: Some(*size),
                shared: false,
            });
            module.section(&tables);
        }

        if !self.mems.is_empty() {
            let mut memories = MemorySection::new();
            for m in &self.mems {
                memories.memory(MemoryType {
                    minimum: m.min,
                    maximum: m.max,
                    memory64: m.mem64,
                    shared: false,
                    page_size_log2: None,
                });
            }
            module.section(&memories);
        }

        if !self.tags.is_empty() {
            let mut tags = TagSection::new();
            for (_, ty) in &self.tags {
                tags.tag(TagType {
                    kind: TagKind::Exception,
                    func_type_idx: *ty,
                });
            }
            module.section(&tags);
        }

        if !self.globals.is_empty() {
            let mut globals = GlobalSection::new();
            for g in &self.globals {
                globals.global(
                    GlobalType {
                        val_type: g.ty.encoder(),
                        mutable: g.mutable,
                        shared: false,
                    },
                    &g.ty.const_expr(g.init),
                );
            }
            module.section(&globals);
        }

        let mut exports = ExportSection::new();
        for (i, f) in self.funcs.iter().enumerate() {
            exports.export(&f.name, ExportKind::Func, i as u32);
        }
        if self.table.is_some() {
            exports.export("table", ExportKind::Table, 0);
        }
        for i in 0..self.mems.len() {
            exports.export(&format!("mem{i}"), ExportKind::Memory, i as u32);
        }
        for i in 0..self.tags.len() {
            exports.export(&format!("tag{i}"), ExportKind::Tag, i as u32);
        }
        for i in 0..self.globals.len() {
            exports.export(&format!("g{i}"), ExportKind::Global, i as u32);
        }
        module.section(&exports);

        if let Some((table64, _, elems)) = &self.table
            && !elems.is_empty()
        {
            let mut elements = ElementSection::new();
            let offset = if *table64 {
                ConstExpr::i64_const(0)
            } else {
                ConstExpr::i32_const(0)
            };
            elements.active(
                Some(0),
                &offset,
                Elements::Functions(elems.as_slice().into()),
            );
            module.section(&elements);
        }

        let mut code = CodeSection::new();
        for body in &bodies {
            code.function(body);
        }
        module.section(&code);

        if !self.data.is_empty() {
            let mut data = DataSection::new();
            for (mem, offset, bytes) in &self.data {
                let offset = if self.mems[*mem as usize].mem64 {
                    ConstExpr::i64_const(*offset as i64)
                } else {
                    ConstExpr::i32_const(*offset as u32 as i32)
                };
                data.active(*mem, &offset, bytes.iter().copied());
            }
            module.section(&data);
        }
        module.finish()
    }
}

/// A built idiom module with the templates its bodies used (indices into
/// [`templates::TEMPLATES`]).
pub struct Built {
    /// The module and its entries.
    pub scenario: Scenario,
    /// The templates used anywhere in the module.
    pub used: BTreeSet<usize>,
}

/// A parameter or result type: integers three times as often as floats.
fn value_type(c: &mut Choices) -> Ty {
    match c.weighted(&[3, 3, 1, 1]) {
        0 => Ty::I32,
        1 => Ty::I64,
        2 => Ty::F32,
        _ => Ty::F64,
    }
}

/// `lo..=hi` value types.
fn value_types(c: &mut Choices, lo: u64, hi: u64) -> Vec<Ty> {
    let n = c.range(lo, hi);
    (0..n).map(|_| value_type(c)).collect()
}

/// Builds an idiom module from `cfg`: the layout, then every body, then the plan's entries.
pub fn build(c: &mut Choices, cfg: &IdiomConfig) -> Built {
    let mut types = Types::default();
    let mut layout = Layout {
        mems: cfg.mems.clone(),
        tail_calls: cfg.tail_calls,
        exceptions: cfg.exceptions,
        ..Layout::default()
    };

    // Globals: a mutable one of every type, and immutable ones (inlined by wasmi) for some.
    for ty in Ty::ALL {
        layout.globals.push(Global {
            ty,
            mutable: true,
            init: konst_bits(c, ty),
        });
        if c.chance(1, 2) {
            layout.globals.push(Global {
                ty,
                mutable: false,
                init: konst_bits(c, ty),
            });
        }
    }

    // Tags.
    for _ in 0..cfg.tags {
        let payload = value_types(c, 0, 3);
        let ty = types.intern(&payload, &[]);
        layout.tags.push((payload, ty));
    }

    // Functions: entries, callees, throwers.
    for i in 0..cfg.entries {
        let params = value_types(c, 1, 4);
        let results = value_types(c, 1, 2);
        layout.funcs.push(FuncDecl {
            type_index: types.intern(&params, &results),
            params,
            results,
            role: Role::Entry,
            name: format!("f{i}"),
        });
    }
    let first_callee = layout.funcs.len() as u32;
    let mut previous_results: Option<Vec<Ty>> = None;
    for i in 0..cfg.callees {
        let params = value_types(c, 1, 3);
        // With tail calls, neighbours often share result types, so one can tail-call the next.
        let results = match &previous_results {
            Some(r) if cfg.tail_calls && c.chance(2, 3) => r.clone(),
            _ => value_types(c, 1, 2),
        };
        previous_results = Some(results.clone());
        layout.funcs.push(FuncDecl {
            type_index: types.intern(&params, &results),
            params,
            results,
            role: Role::Callee { tail: None },
            name: format!("h{i}"),
        });
    }
    for i in 0..cfg.throwers {
        let params = value_types(c, 1, 3);
        let results = value_types(c, 1, 1);
        layout.funcs.push(FuncDecl {
            type_index: types.intern(&params, &results),
            params,
            results,
            role: Role::Thrower {
                tag: c.below(u64::from(cfg.tags.max(1))) as u32,
            },
            name: format!("t{i}"),
        });
    }
    let total = layout.funcs.len() as u32;
    if cfg.table != TableChoice::None {
        let elems: Vec<u32> = (first_callee..total).collect();
        let size = elems.len() as u64 + c.below(3);
        layout.table = Some((cfg.table == TableChoice::Table64, size, elems));
    }
    // Tail calls: a callee ends in a tail call to a higher callee with the same results.
    if cfg.tail_calls {
        for f in first_callee..first_callee + cfg.callees {
            let results = layout.funcs[f as usize].results.clone();
            let targets: Vec<u32> = layout
                .callable_from(f)
                .filter(|&g| layout.funcs[g as usize].results == results)
                .collect();
            if !targets.is_empty() && c.chance(2, 3) {
                let target = *c.pick(&targets);
                let indirect = layout.slot_of(target).is_some() && c.chance(1, 3);
                layout.funcs[f as usize].role = Role::Callee {
                    tail: Some((target, indirect)),
                };
            }
        }
    }
    plan_data(c, &mut layout);

    // Bodies.
    let mut bodies = Vec::new();
    let mut used = BTreeSet::new();
    let mut consts = Vec::new();
    for f in 0..total {
        let mut b = FnBuilder::new(&layout, &mut types, cfg, f);
        funcs::body(&mut b, c);
        used.extend(b.used());
        consts.push(b.consts().to_vec());
        bodies.push(b.finish());
    }
    let wasm = layout.encode(&types, bodies);

    // Entries: the entry functions often, callees and throwers now and then, every parameter
    // with boundary hints, the constants its body compares with, and addresses near bounds.
    let mut entries = Vec::new();
    for (f, decl) in layout.funcs.iter().enumerate() {
        let hints: Vec<Vec<Val>> = decl
            .params
            .iter()
            .map(|&ty| hints(c, ty, &consts[f], &layout))
            .collect();
        entries.push(Entry {
            name: decl.name.clone(),
            params: decl.params.iter().map(|t| t.val_type()).collect(),
            hint_percent: vec![75; decl.params.len()],
            hints,
            weight: if decl.role == Role::Entry { 4 } else { 1 },
        });
    }
    let names: Vec<&str> = used.iter().map(|&i| templates::TEMPLATES[i].name).collect();
    let generator = if cfg.exceptions {
        GeneratorKind::IdiomsThrow
    } else {
        GeneratorKind::Idioms
    };
    Built {
        scenario: Scenario {
            wasm,
            entries,
            generator,
            config: format!("{} templates=[{}]", cfg.describe(), names.join(",")),
        },
        used,
    }
}

/// The bits of a boundary constant of `ty`.
pub fn konst_bits(c: &mut Choices, ty: Ty) -> u64 {
    match ty {
        Ty::I32 => consts::int(c, 32),
        Ty::I64 => consts::int(c, 64),
        Ty::F32 => u64::from(consts::f32(c)),
        Ty::F64 => consts::f64(c),
    }
}

/// Data at both ends of every memory's initial size: boundary values that loads feed into
/// the idioms.
fn plan_data(c: &mut Choices, layout: &mut Layout) {
    for (m, mem) in layout.mems.iter().enumerate() {
        let bytes = mem.min_bytes();
        if bytes == 0 {
            continue;
        }
        for offset in [0, bytes - 64] {
            let mut data = Vec::with_capacity(64);
            while data.len() < 64 {
                let ty = value_type(c);
                data.extend_from_slice(&konst_bits(c, ty).to_le_bytes()[..ty.bits() as usize / 8]);
            }
            data.truncate(64);
            layout.data.push((m as u32, offset, data));
        }
    }
}

/// Hints for a parameter of type `ty`: boundary values, the constants of the function's body
/// of that type and their neighbours, and (for integers) addresses at the memories' bounds.
fn hints(c: &mut Choices, ty: Ty, body_consts: &[Val], layout: &Layout) -> Vec<Val> {
    let mut hints: Vec<Val> = (0..8).map(|_| ty.val(konst_bits(c, ty))).collect();
    for v in body_consts
        .iter()
        .filter(|v| v.ty() == ty.val_type())
        .take(8)
    {
        hints.push(*v);
        match *v {
            Val::I32(x) => hints.extend([Val::I32(x.wrapping_add(1)), Val::I32(x.wrapping_sub(1))]),
            Val::I64(x) => hints.extend([Val::I64(x.wrapping_add(1)), Val::I64(x.wrapping_sub(1))]),
            _ => {}
        }
    }
    if !ty.is_float() {
        for mem in &layout.mems {
            let bytes = mem.min_bytes();
            for delta in [1u64, 2, 4, 8, 16, 0] {
                hints.push(ty.val(bytes.wrapping_sub(delta)));
            }
            if mem.mem64 && ty == Ty::I64 {
                hints.push(ty.val((1 << 32) + bytes - 8));
            }
        }
    }
    let mut distinct: Vec<Val> = Vec::with_capacity(hints.len());
    for h in hints {
        if !distinct.contains(&h) {
            distinct.push(h);
        }
    }
    distinct
}

#[cfg(test)]
mod tests {
    use super::templates::TEMPLATES;
    use super::*;
    use crate::campaign::{known, run_one};
    use crate::generate::rng::Rng;
    use crate::generate::{Profile, generate, generate_from_bytes, validate};
    use oracles::{EngineKind, Features, ModuleInfo, Verdict};

    /// Input bytes drawn from `seed`.
    fn input(seed: u64, len: usize) -> Vec<u8> {
        let mut rng = Rng::new(seed);
        (0..len).map(|_| rng.next_u64() as u8).collect()
    }

    /// The template names a case's description lists.
    fn used_names(config: &str) -> Vec<&str> {
        config
            .split("templates=[")
            .nth(1)
            .and_then(|s| s.split(']').next())
            .map(|s| s.split(',').filter(|n| !n.is_empty()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn cases_validate_never_fall_back_and_most_run_without_exceptions() {
        let (mut plain, mut throwing, mut tail, mut winch_ready) = (0, 0, 0, 0);
        let mut seen = std::collections::BTreeSet::new();
        for index in 0..1500 {
            let case = generate(0x1d10_5eed, index, Profile::Idioms);
            if let Err(e) = validate(&case.wasm) {
                panic!("case {index} invalid: {e}\n{}", case.config);
            }
            assert!(case.generator.is_idioms(), "{index}: {}", case.config);
            assert!(!case.plan.calls.is_empty());
            seen.extend(used_names(&case.config).into_iter().map(String::from));
            let f = ModuleInfo::parse(&case.wasm).unwrap().features;
            assert!(!f.contains(Features::GC_TYPES) && !f.contains(Features::CONST_GLOBAL_GET));
            if case.generator == GeneratorKind::Idioms {
                plain += 1;
                assert!(
                    !f.contains(Features::EXCEPTIONS),
                    "{index}: {}",
                    case.config
                );
                tail += u32::from(f.contains(Features::TAIL_CALL));
                winch_ready += u32::from(!f.contains(Features::TAIL_CALL));
            } else {
                throwing += 1;
                assert!(f.contains(Features::EXCEPTIONS), "{index}: {}", case.config);
            }
        }
        eprintln!("{plain} without exceptions ({tail} with tail calls), {throwing} with");
        assert!(plain >= 700, "{plain} of 1500 without exceptions");
        assert!(throwing >= 400, "{throwing} of 1500 with exceptions");
        assert!(
            winch_ready * 10 >= plain * 7,
            "{winch_ready} of {plain} fit Winch"
        );
        let missing: Vec<&str> = TEMPLATES
            .iter()
            .map(|t| t.name)
            .filter(|n| !seen.contains(*n))
            .collect();
        assert!(missing.is_empty(), "templates never produced: {missing:?}");
    }

    #[test]
    fn every_template_validates_alone() {
        for (i, t) in TEMPLATES.iter().enumerate() {
            let mut produced = 0;
            for seed in 0..24u64 {
                let exceptions = seed % 2 == 1;
                let cfg = IdiomConfig::for_template(i, exceptions);
                let data = input(seed * 131 + i as u64, 4096);
                let built = build(&mut Choices::new(&data), &cfg);
                if let Err(e) = validate(&built.scenario.wasm) {
                    let text = wasmprinter::print_bytes(&built.scenario.wasm).unwrap_or_default();
                    panic!("{} (seed {seed}) invalid: {e}\n{text}", t.name);
                }
                produced += u32::from(built.used.contains(&i));
            }
            assert!(
                produced >= 6,
                "{} produced in {produced} of 24 modules",
                t.name
            );
        }
    }

    #[test]
    fn short_and_arbitrary_inputs_give_valid_cases() {
        for len in [0usize, 1, 3, 8, 40, 300, 5000] {
            for seed in 0..10 {
                let case = generate_from_bytes(&input(seed, len), Profile::Idioms);
                validate(&case.wasm).unwrap();
                assert!(case.generator.is_idioms(), "{len}: {}", case.config);
            }
        }
        let empty = generate_from_bytes(&[], Profile::Idioms);
        assert!(
            empty.wasm.len() < 2000,
            "{} bytes from no input",
            empty.wasm.len()
        );
    }

    #[test]
    fn cases_are_pure_functions_of_their_input() {
        for index in [0, 5, 77] {
            assert_eq!(
                generate(9, index, Profile::Idioms),
                generate(9, index, Profile::Idioms)
            );
        }
    }

    /// Every call ends: loops count down and calls (direct, indirect, tail) only go to higher
    /// functions, so no case runs out of call stack or fuel on the reference.
    #[test]
    fn no_case_exhausts_the_reference() {
        let engine = EngineKind::Reference.build().unwrap();
        for index in 0..2100 {
            let case = generate(3, index, Profile::Idioms);
            let report = oracles::differential::run_case(
                &[engine.as_ref()],
                &case.wasm,
                &case.plan,
                &Default::default(),
            );
            for step in &report.steps {
                if let Some(Ok(oracles::Outcome::Exhaustion(e))) =
                    step.observations[0].as_ref().map(|o| &o.outcome)
                {
                    panic!(
                        "case {index}, {}: exhausted {e:?}\n{}",
                        step.action, case.config
                    );
                }
            }
        }
    }

    /// A short differential run: reference, Cranelift, wasmi and Winch agree on every case (a
    /// case wasmi alone dissents on is accepted only when it is a confirmed known bug).
    #[test]
    fn engines_agree_on_idiom_cases() {
        let kinds = [
            EngineKind::Reference,
            EngineKind::Cranelift,
            EngineKind::Wasmi,
            EngineKind::Winch,
        ];
        let built: Vec<Box<dyn oracles::Engine>> =
            kinds.iter().map(|k| k.build().unwrap()).collect();
        let engines: Vec<&dyn oracles::Engine> = built.iter().map(|e| e.as_ref()).collect();
        let mut ran_wasmi = 0;
        for index in 0..200 {
            let run = run_one(
                &engines,
                0xd1ff,
                index,
                Profile::Idioms,
                Default::default(),
                false,
            );
            ran_wasmi +=
                u32::from(run.report.engines[2].status == oracles::differential::EngineStatus::Ran);
            if let Verdict::Diverge(d) = &run.report.verdict {
                let known = known::classify(
                    &engines,
                    &run.wasm,
                    &run.case.plan,
                    &run.options,
                    &run.report,
                );
                assert!(
                    known.is_some(),
                    "case {index} diverges ({:?}): {}\n{}",
                    d.kind,
                    run.case.config,
                    wasmprinter::print_bytes(&run.case.wasm).unwrap_or_default()
                );
            }
        }
        assert!(ran_wasmi >= 100, "wasmi ran {ran_wasmi} of 200");
    }

    /// Measurement, not a check: generation speed and module sizes of the `idioms` profile
    /// next to `mixed` (`cargo test --release --lib generate::idioms::tests::sizes --
    /// --ignored --nocapture`).
    #[test]
    #[ignore = "measurement: prints generation speed and module sizes"]
    fn sizes() {
        for profile in [Profile::Idioms, Profile::Mixed] {
            let n = 2000u64;
            let start = std::time::Instant::now();
            let cases: Vec<_> = (0..n).map(|i| generate(7, i, profile)).collect();
            let elapsed = start.elapsed();
            let mut bytes: Vec<usize> = cases.iter().map(|c| c.wasm.len()).collect();
            bytes.sort_unstable();
            let funcs: u64 = cases
                .iter()
                .map(|c| {
                    u64::from(
                        ModuleInfo::parse(&c.wasm)
                            .unwrap()
                            .count(oracles::ItemKind::Func),
                    )
                })
                .sum();
            let calls: usize = cases.iter().map(|c| c.plan.calls.len()).sum();
            if profile == Profile::Idioms {
                let mut share: Vec<(usize, &str)> = TEMPLATES
                    .iter()
                    .map(|t| {
                        let n = cases
                            .iter()
                            .filter(|c| used_names(&c.config).contains(&t.name))
                            .count();
                        (n, t.name)
                    })
                    .collect();
                share.sort_unstable();
                let throwing: Vec<_> = cases
                    .iter()
                    .filter(|c| c.generator == GeneratorKind::IdiomsThrow)
                    .collect();
                let caught = throwing
                    .iter()
                    .filter(|c| used_names(&c.config).contains(&"try_catch"))
                    .count();
                eprintln!("modules using each template (of {n}): {share:?}");
                eprintln!(
                    "try_catch in {caught} of {} modules with exceptions",
                    throwing.len()
                );
            }
            eprintln!(
                "{profile}: {:.0} cases/s generated; bytes median {} p90 {} max {}; {:.1} functions, {:.1} calls per case",
                n as f64 / elapsed.as_secs_f64(),
                bytes[bytes.len() / 2],
                bytes[bytes.len() * 9 / 10],
                bytes[bytes.len() - 1],
                funcs as f64 / n as f64,
                calls as f64 / n as f64,
            );
        }
    }

    /// Measurement, not a check: how the plan's calls end on the reference (returns, traps by
    /// kind, exceptions), for 500 idiom cases (`cargo test --release --lib
    /// generate::idioms::tests::outcomes -- --ignored --nocapture`).
    #[test]
    #[ignore = "measurement: prints the outcomes of idiom calls"]
    fn outcomes() {
        let engine = EngineKind::Reference.build().unwrap();
        let mut tally: std::collections::BTreeMap<String, u32> = Default::default();
        for index in 0..500 {
            let case = generate(3, index, Profile::Idioms);
            let report = oracles::differential::run_case(
                &[engine.as_ref()],
                &case.wasm,
                &case.plan,
                &Default::default(),
            );
            for step in report.steps.iter().skip(1) {
                let cell = step.observations[0]
                    .as_ref()
                    .map(|o| match &o.outcome {
                        Ok(oracles::Outcome::Return(_)) => "return".to_string(),
                        Ok(other) => other.to_string(),
                        Err(e) => e.kind_name().to_string(),
                    })
                    .unwrap_or_else(|| "-".into());
                let key = cell.split('(').next().unwrap_or("").to_string();
                *tally.entry(key).or_default() += 1;
            }
        }
        eprintln!("{tally:#?}");
    }
}
