//! Known engine bugs: a divergence that a semantics-preserving rewrite of the module makes disappear is the known bug that rewrite sidesteps, counted under the bug's name instead of filed again.
//!
//! Each [`KnownBug`] names the engine it is in, the regression under `corpus/regressions/` that
//! reproduces it, and a rewrite of a module that computes the same thing without the pattern
//! that triggers the bug. A divergent case is attributed to the bug only when the dissenters are
//! exactly that engine *and* rerunning the rewritten module on the same engines, with the same
//! plan, agrees: the divergence is confirmed to be that pattern, case by case, never assumed.
//! Anything else stays a finding.

use oracles::compare::Verdict;
use oracles::differential::{Plan, RunOptions, run_case};
use oracles::{CaseReport, Engine};
use std::convert::Infallible;
use wasm_encoder::reencode::{Error, Reencode, RoundtripReencoder, utils};

/// A bug of an engine that catchall knows and will not file again.
pub struct KnownBug {
    /// Its stable name, as counted in `stats.json`.
    pub name: &'static str,
    /// The engine it is in.
    pub engine: &'static str,
    /// The hand-reduced regression that reproduces it, with its write-up.
    pub regression: &'static str,
    /// A semantics-preserving rewrite of a module that avoids the bug's trigger; `None` when
    /// the module cannot be rewritten.
    pub sidestep: fn(&[u8]) -> Option<Vec<u8>>,
}

/// Every known bug.
pub const KNOWN: &[KnownBug] = &[
    KnownBug {
        name: "wasmi-select-eqz",
        engine: "wasmi",
        regression: "corpus/regressions/wasmi-select-eqz-of-local.wast",
        sidestep: sidestep_select_eqz,
    },
    KnownBug {
        name: "wasmi-store-reg-reg",
        engine: "wasmi",
        regression: "corpus/regressions/wasmi-store-same-local-panic.wat",
        sidestep: sidestep_store_spill,
    },
    KnownBug {
        name: "wasmi-loop-param-clobber",
        engine: "wasmi",
        regression: "corpus/regressions/wasmi-loop-param-clobbers-pending-local.wat",
        sidestep: sidestep_loop_params,
    },
    KnownBug {
        name: "wasmi-grow-memory64-max-2p48",
        engine: "wasmi",
        regression: "corpus/regressions/wasmi-grow-memory64-max-2p48.wast",
        sidestep: sidestep_memory64_max,
    },
    KnownBug {
        name: "winch-table-copy-zero-length",
        engine: "winch",
        regression: "corpus/regressions/winch-table-copy-zero-length.wast",
        sidestep: sidestep_table_copy,
    },
];

/// The known bug a divergent case is, confirmed by rerunning its sidestepped module.
pub fn classify(
    engines: &[&dyn Engine],
    wasm: &[u8],
    plan: &Plan,
    options: &RunOptions,
    report: &CaseReport,
) -> Option<&'static KnownBug> {
    let Verdict::Diverge(d) = &report.verdict else {
        return None;
    };
    let dissenters: Vec<&str> = d
        .groups
        .iter()
        .skip(1)
        .flat_map(|g| g.engines.iter().map(String::as_str))
        .collect();
    KNOWN.iter().find(|bug| {
        dissenters == [bug.engine]
            && (bug.sidestep)(wasm).is_some_and(|rewritten| {
                run_case(engines, &rewritten, plan, options).verdict == Verdict::Agree
            })
    })
}

/// wasmi 2.0.0 fuses `select` with a condition computed by `i32.eqz` (or `i32.eq` / `i32.ne`
/// with 0, in either operand order: all three become the same staged `I32Eq_Rsi`/`I32NotEq_Rsi`
/// with an immediate 0) of a local and then reads the condition from the wrong register. The
/// rewrite computes every such condition from a fresh value instead of the local: `i32.eqz`
/// becomes `i32.const 0; i32.add; i32.eqz`, `i32.eq` becomes `i32.sub; i32.const 0; i32.add;
/// i32.eqz` (`a == b` is `!(a - b)`), and `i32.ne` becomes `i32.sub; i32.const 0; i32.add;
/// i32.eqz; i32.eqz` (`a != b` is `!!(a - b)`) — the same results for every input.
pub fn sidestep_select_eqz(wasm: &[u8]) -> Option<Vec<u8>> {
    let mut module = wasm_encoder::Module::new();
    utils::parse_core_module(
        &mut SelectEqz,
        &mut module,
        wasmparser::Parser::new(0),
        wasm,
    )
    .ok()?;
    Some(module.finish())
}

struct SelectEqz;

impl Reencode for SelectEqz {
    type Error = Infallible;

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), Error<Infallible>> {
        use wasm_encoder::Instruction as I;
        let mut function = self.new_function_with_parsed_locals(&func)?;
        let mut reader = func.get_operators_reader()?;
        while !reader.eof() {
            match reader.read()? {
                wasmparser::Operator::I32Eqz => {
                    function.instruction(&I::I32Const(0));
                    function.instruction(&I::I32Add);
                    function.instruction(&I::I32Eqz);
                }
                wasmparser::Operator::I32Eq => {
                    function.instruction(&I::I32Sub);
                    function.instruction(&I::I32Const(0));
                    function.instruction(&I::I32Add);
                    function.instruction(&I::I32Eqz);
                }
                wasmparser::Operator::I32Ne => {
                    function.instruction(&I::I32Sub);
                    function.instruction(&I::I32Const(0));
                    function.instruction(&I::I32Add);
                    function.instruction(&I::I32Eqz);
                    function.instruction(&I::I32Eqz);
                }
                other => {
                    function.instruction(&RoundtripReencoder.instruction(other)?);
                }
            }
        }
        code.function(&function);
        Ok(())
    }
}

/// wasmi 2.0.0 panics translating an integer store whose address and value both resolve to its
/// integer register (the same local, last set from a computed value) outside the memory-0,
/// 16-bit-offset form. The rewrite passes every stored integer through a fresh local
/// (`local.set t; local.get t` just before the store), so the value is read from that local's
/// slot and never from the register — the same stores for every input.
pub fn sidestep_store_spill(wasm: &[u8]) -> Option<Vec<u8>> {
    let info = oracles::ModuleInfo::parse(wasm).ok()?;
    let imported = info.imported(oracles::ItemKind::Func) as usize;
    let params = info.funcs[imported.min(info.funcs.len())..]
        .iter()
        .map(|&t| Some(info.types.get(t as usize)?.as_ref()?.params.len() as u32))
        .collect::<Option<Vec<u32>>>()?;
    let mut module = wasm_encoder::Module::new();
    let mut spill = StoreSpill { params, next: 0 };
    utils::parse_core_module(&mut spill, &mut module, wasmparser::Parser::new(0), wasm).ok()?;
    Some(module.finish())
}

/// The reencoder of [`sidestep_store_spill`]: the parameter count of every defined function,
/// and which body comes next.
struct StoreSpill {
    params: Vec<u32>,
    next: usize,
}

impl Reencode for StoreSpill {
    type Error = Infallible;

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), Error<Infallible>> {
        use wasm_encoder::Instruction as I;
        use wasmparser::Operator as O;
        let params = self.params.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        let mut locals = Vec::new();
        let mut declared = 0u32;
        for local in func.get_locals_reader()? {
            let (count, ty) = local?;
            declared += count;
            locals.push((count, self.val_type(ty)?));
        }
        // Two spill locals: i32 then i64.
        let base = params + declared;
        locals.push((1, wasm_encoder::ValType::I32));
        locals.push((1, wasm_encoder::ValType::I64));
        let mut function = wasm_encoder::Function::new(locals);
        let mut reader = func.get_operators_reader()?;
        while !reader.eof() {
            let op = reader.read()?;
            let spill = match op {
                O::I32Store { .. } | O::I32Store8 { .. } | O::I32Store16 { .. } => Some(base),
                O::I64Store { .. }
                | O::I64Store8 { .. }
                | O::I64Store16 { .. }
                | O::I64Store32 { .. } => Some(base + 1),
                _ => None,
            };
            if let Some(t) = spill {
                function.instruction(&I::LocalSet(t));
                function.instruction(&I::LocalGet(t));
            }
            function.instruction(&RoundtripReencoder.instruction(op)?);
        }
        code.function(&function);
        Ok(())
    }
}

/// wasmi 2.0.0 copies a loop's parameters before it preserves the pending `local.get`s below
/// them, so a pending read of a local held in the accumulator register returns the parameter.
/// The rewrite puts an empty `block` with the loop's parameters as both parameters and results
/// just before every such loop: wasmi preserves pending locals first thing at a `block`, and
/// an empty block passes its values through unchanged — the same results for every input. A
/// type `P -> P` is appended to the type section for every parameter list that needs one.
pub fn sidestep_loop_params(wasm: &[u8]) -> Option<Vec<u8>> {
    // The parameters of every function type, then the types of loops that take parameters.
    let mut params: Vec<Vec<wasmparser::ValType>> = Vec::new();
    let mut loop_types: Vec<u32> = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.ok()? {
            wasmparser::Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group.ok()?.into_types() {
                        params.push(match &sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => f.params().to_vec(),
                            _ => Vec::new(),
                        });
                    }
                }
            }
            wasmparser::Payload::CodeSectionEntry(body) => {
                let mut reader = body.get_operators_reader().ok()?;
                while !reader.eof() {
                    if let wasmparser::Operator::Loop {
                        blockty: wasmparser::BlockType::FuncType(t),
                    } = reader.read().ok()?
                        && !params.get(t as usize)?.is_empty()
                        && !loop_types.contains(&t)
                    {
                        loop_types.push(t);
                    }
                }
            }
            _ => {}
        }
    }
    let mut module = wasm_encoder::Module::new();
    let mut rewrite = LoopParams {
        first_new: params.len() as u32,
        params,
        loop_types,
    };
    utils::parse_core_module(&mut rewrite, &mut module, wasmparser::Parser::new(0), wasm).ok()?;
    Some(module.finish())
}

/// The reencoder of [`sidestep_loop_params`]: every type's parameters, the loop types that
/// take parameters (their pass-through types follow the module's own, in this order).
struct LoopParams {
    params: Vec<Vec<wasmparser::ValType>>,
    loop_types: Vec<u32>,
    first_new: u32,
}

impl Reencode for LoopParams {
    type Error = Infallible;

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), Error<Infallible>> {
        utils::parse_type_section(self, types, section)?;
        for &t in &self.loop_types {
            let p: Vec<wasm_encoder::ValType> = self.params[t as usize]
                .iter()
                .map(|&v| RoundtripReencoder.val_type(v))
                .collect::<Result<_, _>>()?;
            types.ty().function(p.clone(), p);
        }
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), Error<Infallible>> {
        use wasm_encoder::Instruction as I;
        let mut function = self.new_function_with_parsed_locals(&func)?;
        let mut reader = func.get_operators_reader()?;
        while !reader.eof() {
            let op = reader.read()?;
            if let wasmparser::Operator::Loop {
                blockty: wasmparser::BlockType::FuncType(t),
            } = op
                && let Some(k) = self.loop_types.iter().position(|&l| l == t)
            {
                let through = self.first_new + k as u32;
                function.instruction(&I::Block(wasm_encoder::BlockType::FunctionType(through)));
                function.instruction(&I::End);
            }
            function.instruction(&RoundtripReencoder.instruction(op)?);
        }
        code.function(&function);
        Ok(())
    }
}

/// wasmi 2.0.0 aborts the process when a 64-bit memory declared with a maximum of 2^48 pages
/// grows (the maximum in bytes, 2^64, overflows a `u64` inside its executor, which cannot
/// unwind). 2^48 pages is also the implicit maximum of every 64-bit memory, so the rewrite
/// drops such a declared maximum: the same memory for every instruction (its type differs only
/// to an importer, and a case's module is never imported). `None` when no memory declares it.
pub fn sidestep_memory64_max(wasm: &[u8]) -> Option<Vec<u8>> {
    let mut rewrite = DropLargestMax { changed: false };
    let mut module = wasm_encoder::Module::new();
    utils::parse_core_module(&mut rewrite, &mut module, wasmparser::Parser::new(0), wasm).ok()?;
    rewrite.changed.then(|| module.finish())
}

struct DropLargestMax {
    changed: bool,
}

impl Reencode for DropLargestMax {
    type Error = Infallible;

    fn memory_type(
        &mut self,
        ty: wasmparser::MemoryType,
    ) -> Result<wasm_encoder::MemoryType, Error<Infallible>> {
        let mut out = RoundtripReencoder.memory_type(ty)?;
        if ty.memory64 && ty.maximum == Some(1 << 48) && ty.page_size_log2.is_none() {
            out.maximum = None;
            self.changed = true;
        }
        Ok(out)
    }
}

/// Winch (wasmtime 48.0.8) lowers `table.copy` to an inline loop whose body may spill the
/// value stack; a zero-length copy jumps over that spill while Winch's model of the stack
/// records it, so a value below the operands that was not spilled yet is read back wrong (or
/// the process crashes). The rewrite wraps every `table.copy` in a `block` that takes its three
/// operands as parameters and passes nothing on: Winch spills the value stack at a block's
/// entry, so nothing below is left to spill inside the loop — the same effect for every input
/// (a trap inside the block is the same trap). Four types `(dst, src, len) -> ()`, one per
/// combination of the tables' index types, are appended to the type section.
pub fn sidestep_table_copy(wasm: &[u8]) -> Option<Vec<u8>> {
    let mut types = 0u32;
    let mut table64: Vec<bool> = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.ok()? {
            wasmparser::Payload::TypeSection(reader) => {
                for group in reader {
                    types += group.ok()?.types().len() as u32;
                }
            }
            wasmparser::Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if let wasmparser::TypeRef::Table(t) = import.ok()?.ty {
                        table64.push(t.table64);
                    }
                }
            }
            wasmparser::Payload::TableSection(reader) => {
                for table in reader {
                    table64.push(table.ok()?.ty.table64);
                }
            }
            _ => {}
        }
    }
    if types == 0 {
        return None;
    }
    let mut module = wasm_encoder::Module::new();
    let mut rewrite = TableCopyBlocks {
        first_new: types,
        table64,
    };
    utils::parse_core_module(&mut rewrite, &mut module, wasmparser::Parser::new(0), wasm).ok()?;
    Some(module.finish())
}

/// The reencoder of [`sidestep_table_copy`]: where the four operand types start, and each
/// table's index type.
struct TableCopyBlocks {
    first_new: u32,
    table64: Vec<bool>,
}

impl TableCopyBlocks {
    /// The appended types, in order: (dst 64-bit, src 64-bit) = (no, no), (yes, yes),
    /// (yes, no), (no, yes); the length is 64-bit only when both are.
    const SHAPES: [(bool, bool); 4] = [(false, false), (true, true), (true, false), (false, true)];
}

impl Reencode for TableCopyBlocks {
    type Error = Infallible;

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), Error<Infallible>> {
        use wasm_encoder::ValType as V;
        utils::parse_type_section(self, types, section)?;
        for (dst, src) in Self::SHAPES {
            let ty = |wide: bool| if wide { V::I64 } else { V::I32 };
            types.ty().function([ty(dst), ty(src), ty(dst && src)], []);
        }
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), Error<Infallible>> {
        use wasm_encoder::Instruction as I;
        let mut function = self.new_function_with_parsed_locals(&func)?;
        let mut reader = func.get_operators_reader()?;
        while !reader.eof() {
            let op = reader.read()?;
            if let wasmparser::Operator::TableCopy {
                dst_table,
                src_table,
            } = op
            {
                let wide = |t: u32| self.table64.get(t as usize).copied().unwrap_or(false);
                let shape = (wide(dst_table), wide(src_table));
                let k = Self::SHAPES.iter().position(|&s| s == shape).unwrap_or(0) as u32;
                let ty = wasm_encoder::BlockType::FunctionType(self.first_new + k);
                function.instruction(&I::Block(ty));
                function.instruction(&RoundtripReencoder.instruction(op)?);
                function.instruction(&I::End);
            } else {
                function.instruction(&RoundtripReencoder.instruction(op)?);
            }
        }
        code.function(&function);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sidestep_keeps_results_and_removes_the_pattern() {
        let wasm = wat::parse_str(
            r#"(module
                 (func (export "f") (param i32 i32 i32) (result i32)
                   (select (local.get 0) (local.get 1) (i32.eqz (local.get 2))))
                 (func (export "g") (param i32 i32) (result i32)
                   (i32.ne (local.get 0) (local.get 1)))
                 (func (export "h") (param i32 i32 i32) (result i32)
                   (select (local.get 0) (local.get 1) (i32.eq (i32.const 0) (local.get 2)))))"#,
        )
        .unwrap();
        let rewritten = sidestep_select_eqz(&wasm).expect("rewrites");
        wasmparser::Validator::new()
            .validate_all(&rewritten)
            .expect("the rewrite validates");
        let text = wasmprinter::print_bytes(&rewritten).unwrap();
        assert!(text.contains("i32.add"), "{text}");
        assert!(!text.contains("i32.ne"), "{text}");
        assert!(!text.contains("i32.eq "), "{text}");
        // Same results on an engine without the bug.
        let engine = oracles::EngineKind::Reference.build().unwrap();
        for (module, calls) in [(&wasm, 0), (&rewritten, 1)] {
            let m = engine.compile(module).unwrap();
            let mut store = engine.new_store(oracles::Limits::default());
            let Ok(oracles::Outcome::Return(id)) = store.instantiate(&*m) else {
                panic!("instantiates")
            };
            use oracles::{Outcome, Val};
            for c in [0, 5] {
                assert_eq!(
                    store.call(id, "f", &[Val::I32(1), Val::I32(2), Val::I32(c)]),
                    Outcome::Return(vec![Val::I32(if c == 0 { 1 } else { 2 })]),
                    "module {calls}, c = {c}"
                );
            }
            for c in [0, 5] {
                assert_eq!(
                    store.call(id, "h", &[Val::I32(1), Val::I32(2), Val::I32(c)]),
                    Outcome::Return(vec![Val::I32(if c == 0 { 1 } else { 2 })]),
                    "module {calls}, c = {c}"
                );
            }
            for (a, b) in [(3, 3), (3, 4), (i32::MIN, i32::MAX)] {
                assert_eq!(
                    store.call(id, "g", &[Val::I32(a), Val::I32(b)]),
                    Outcome::Return(vec![Val::I32(i32::from(a != b))]),
                );
            }
        }
    }

    #[test]
    fn the_regression_is_classified_only_when_wasmi_alone_dissents_and_the_sidestep_agrees() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(KNOWN[0].regression);
        let text = std::fs::read_to_string(&path).expect("the regression reads");
        // The regression's module: its text up to the first assertion.
        let module = text.split("\n(assert_").next().unwrap_or_default();
        let wasm = wat::parse_str(module).expect("the regression's module parses");
        let kinds = [oracles::EngineKind::Reference, oracles::EngineKind::Wasmi];
        let built: Vec<Box<dyn Engine>> = kinds.iter().map(|k| k.build().unwrap()).collect();
        let engines: Vec<&dyn Engine> = built.iter().map(|e| e.as_ref()).collect();
        let plan = Plan {
            calls: vec![oracles::differential::Call {
                func: "select_eqz".into(),
                args: vec![
                    oracles::Val::I32(1),
                    oracles::Val::I32(2),
                    oracles::Val::I32(5),
                ],
            }],
        };
        let options = RunOptions::default();
        let report = run_case(&engines, &wasm, &plan, &options);
        assert!(
            matches!(report.verdict, Verdict::Diverge(_)),
            "{:?}",
            report.verdict
        );
        let bug = classify(&engines, &wasm, &plan, &options, &report).expect("the known bug");
        assert_eq!(bug.name, "wasmi-select-eqz");
        // The reference alone never matches a wasmi bug.
        let reference_only = &engines[..1];
        let agree = run_case(reference_only, &wasm, &plan, &options);
        assert!(classify(reference_only, &wasm, &plan, &options, &agree).is_none());
    }

    #[test]
    fn the_store_panic_is_classified_by_its_sidestep() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(KNOWN[1].regression);
        let wasm = wat::parse_file(&path).expect("the regression parses");
        let rewritten = sidestep_store_spill(&wasm).expect("rewrites");
        wasmparser::Validator::new_with_features(crate::generate::scope_features())
            .validate_all(&rewritten)
            .expect("the rewrite validates");
        let kinds = [oracles::EngineKind::Reference, oracles::EngineKind::Wasmi];
        let built: Vec<Box<dyn Engine>> = kinds.iter().map(|k| k.build().unwrap()).collect();
        let engines: Vec<&dyn Engine> = built.iter().map(|e| e.as_ref()).collect();
        for func in ["f", "second_memory"] {
            let plan = Plan {
                calls: vec![oracles::differential::Call {
                    func: func.into(),
                    args: vec![oracles::Val::I32(4)],
                }],
            };
            let options = RunOptions::default();
            let report = run_case(&engines, &wasm, &plan, &options);
            assert!(
                matches!(report.verdict, Verdict::Diverge(_)),
                "{func}: {:?}",
                report.verdict
            );
            let bug = classify(&engines, &wasm, &plan, &options, &report).expect("a known bug");
            assert_eq!(bug.name, "wasmi-store-reg-reg");
            let fixed = run_case(&engines, &rewritten, &plan, &options);
            assert_eq!(fixed.verdict, Verdict::Agree, "{func}");
        }
    }

    #[test]
    fn the_loop_parameter_bug_is_classified_by_its_sidestep() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(KNOWN[2].regression);
        let wasm = wat::parse_file(&path).expect("the regression parses");
        let rewritten = sidestep_loop_params(&wasm).expect("rewrites");
        wasmparser::Validator::new_with_features(crate::generate::scope_features())
            .validate_all(&rewritten)
            .expect("the rewrite validates");
        let kinds = [oracles::EngineKind::Reference, oracles::EngineKind::Wasmi];
        let built: Vec<Box<dyn Engine>> = kinds.iter().map(|k| k.build().unwrap()).collect();
        let engines: Vec<&dyn Engine> = built.iter().map(|e| e.as_ref()).collect();
        use oracles::Val;
        for (func, args) in [
            ("pending_i32", vec![Val::I32(77), Val::I32(5)]),
            (
                "pending_f32",
                vec![Val::F32(0x4000_0000), Val::F32(0x40a0_0000)],
            ),
        ] {
            let plan = Plan {
                calls: vec![oracles::differential::Call {
                    func: func.into(),
                    args,
                }],
            };
            let options = RunOptions::default();
            let report = run_case(&engines, &wasm, &plan, &options);
            assert!(
                matches!(report.verdict, Verdict::Diverge(_)),
                "{func}: {:?}",
                report.verdict
            );
            let bug = classify(&engines, &wasm, &plan, &options, &report).expect("a known bug");
            assert_eq!(bug.name, "wasmi-loop-param-clobber");
        }
    }

    #[test]
    fn the_memory64_max_sidestep_drops_only_the_largest_maximum() {
        let largest = wat::parse_str(
            r#"(module (memory i64 0 0x1_0000_0000_0000)
                 (func (export "grow") (result i64) (memory.grow (i64.const 1))))"#,
        )
        .unwrap();
        let rewritten = sidestep_memory64_max(&largest).expect("rewrites");
        let info = oracles::ModuleInfo::parse(&rewritten).unwrap();
        assert_eq!(info.memories[0].max, None);
        assert!(!oracles::engines::wasmi::aborts_on(&info));
        // The rewritten module runs on wasmi and agrees with the reference.
        let reference = oracles::EngineKind::Reference.build().unwrap();
        let wasmi = oracles::EngineKind::Wasmi.build().unwrap();
        let engines = [reference.as_ref(), wasmi.as_ref()];
        let plan = Plan {
            calls: vec![oracles::differential::Call {
                func: "grow".into(),
                args: vec![],
            }],
        };
        let report = run_case(&engines, &rewritten, &plan, &RunOptions::default());
        assert_eq!(report.verdict, Verdict::Agree);
        // Nothing to sidestep: one page less, or a 32-bit memory.
        for text in [
            "(module (memory i64 0 0xffff_ffff_ffff))",
            "(module (memory 0 65536))",
        ] {
            assert!(sidestep_memory64_max(&wat::parse_str(text).unwrap()).is_none());
        }
    }

    #[test]
    fn the_table_copy_sidestep_wraps_every_copy_and_keeps_results() {
        let wasm = wat::parse_str(
            r#"(module
                 (table $a 3 3 funcref)
                 (table $b i64 2 funcref)
                 (func (export "f") (param i32) (result i32)
                   local.get 0
                   (table.copy $a $a (i32.const 1) (i32.const 2) (i32.const 0)))
                 (func (export "g") (param i64) (result i32)
                   (table.copy $b $a (local.get 0) (i32.const 0) (i32.const 1))
                   (i32.const 5)))"#,
        )
        .unwrap();
        let rewritten = sidestep_table_copy(&wasm).expect("rewrites");
        wasmparser::Validator::new()
            .validate_all(&rewritten)
            .expect("the rewrite validates");
        let text = wasmprinter::print_bytes(&rewritten).unwrap();
        assert_eq!(text.matches("table.copy").count(), 2, "{text}");
        assert_eq!(text.matches("block (type").count(), 2, "{text}");
        let engine = oracles::EngineKind::Reference.build().unwrap();
        for module in [&wasm, &rewritten] {
            let m = engine.compile(module).unwrap();
            let mut store = engine.new_store(oracles::Limits::default());
            let Ok(oracles::Outcome::Return(id)) = store.instantiate(&*m) else {
                panic!("instantiates")
            };
            use oracles::{Outcome, Trap, TrapKind, Val};
            assert_eq!(
                store.call(id, "f", &[Val::I32(7)]),
                Outcome::Return(vec![Val::I32(7)])
            );
            assert_eq!(
                store.call(id, "g", &[Val::I64(1)]),
                Outcome::Return(vec![Val::I32(5)])
            );
            assert_eq!(
                store.call(id, "g", &[Val::I64(2)]),
                Outcome::Trap(Trap::spec(TrapKind::TableOutOfBounds))
            );
        }
    }
}
