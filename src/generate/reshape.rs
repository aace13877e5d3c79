//! `reshape`: a re-encoding pass over generated modules that moves static memory offsets onto
//! interesting values (at the bound, near 2^32 and 2^64) and widens the declared maximum of
//! 64-bit memories past 4 GiB, without changing anything else.

use crate::generate::addresses::{self, PAGE};
use crate::generate::rng::Rng;
use std::convert::Infallible;
use wasm_encoder::reencode::{Error as ReencodeError, Reencode, utils};
use wasm_encoder::{
    BlockType, ConstExpr, ExportKind, Function, GlobalType, Instruction, SectionId, TagKind,
    TagType, ValType,
};

/// The prefix of the export names of refuelling wrappers (see [`Reshape::refuel`]).
pub const REFUEL_PREFIX: &str = "fueled:";

/// What the pass changes.
///
/// wasm-smith chooses a static offset from the memory's limits (`memory_offset_choices`): in
/// bounds, between minimum and maximum, or past the maximum, uniformly within each range. For
/// a 64-bit memory without a maximum the last two ranges span 2^64 values, so offsets almost
/// never land within a few bytes of the bound or of 2^32. This pass fixes that after the fact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reshape {
    /// Percentage (0..=100) of load and store immediates whose offset is replaced by
    /// [`addresses::interesting`] for the memory and the access width.
    ///
    /// Defaults to 0. Interacts with `memory_offset_choices`: the rest keep wasm-smith's
    /// offsets.
    pub offset_percent: u32,
    /// A new declared maximum, in pages, for every 64-bit memory, when set. The value is
    /// raised to at least the memory's minimum. Widening a maximum never invalidates a module
    /// (only accesses and grows consult it), and it changes the bounds-checking strategy an
    /// engine may pick.
    ///
    /// Defaults to `None` (keep). A maximum above 65536 pages declares more than 4 GiB.
    pub widen_memory64_max: Option<u64>,
    /// Seed for the offsets chosen.
    pub seed: u64,
    /// `(global, fuel)`: for every exported function `f`, add an exported wrapper
    /// `fueled:f` that sets the termination fuel global (see
    /// `wasm_smith::Module::ensure_termination`) to `fuel` and calls `f`.
    ///
    /// Defaults to `None`. wasm-smith's fuel is one global for the whole instance: once a call
    /// spends it (control-heavy code loops until it does), every later call traps at once.
    /// Plans that call the wrappers give every call its own fuel instead, while internal
    /// calls still share it, so termination is still guaranteed.
    pub refuel: Option<(u32, u32)>,
    /// Whether the first fuel exhaustion of a call throws instead of trapping: the pass adds a
    /// tag `fuel` (no payload) and a flag global, and rewrites every fuel check
    /// (`global.get $fuel i32.eqz if unreachable end`) so that it throws `fuel` when the flag is
    /// clear, setting it; once set, checks trap as before (so termination holds even when a
    /// `catch_all` inside a loop catches the exception). Refuelling wrappers clear the flag.
    ///
    /// Defaults to false; needs `refuel`. wasm-smith code loops until its fuel runs out in
    /// many calls, so this makes exceptions unwind through wasm-smith's own frames and
    /// `try_table`s, which its own `throw`s (weighted down, needing a tag's payload on the
    /// stack) rarely do.
    pub fuel_throws: bool,
}

impl Reshape {
    /// Whether the pass changes anything.
    pub fn is_identity(&self) -> bool {
        self.offset_percent == 0 && self.widen_memory64_max.is_none() && self.refuel.is_none()
    }

    /// Whether the module's fuel checks throw (see [`Reshape::fuel_throws`]).
    fn throws(&self) -> bool {
        self.fuel_throws && self.refuel.is_some()
    }

    /// Applies the pass to `wasm`, a module that decodes.
    pub fn apply(&self, wasm: &[u8]) -> Result<Vec<u8>, ReencodeError<Infallible>> {
        if self.is_identity() {
            return Ok(wasm.to_vec());
        }
        let mut wrappers = Vec::new();
        let mut funcs = 0;
        let mut counts = Counts::default();
        if self.refuel.is_some()
            && let Ok(info) = oracles::ModuleInfo::parse(wasm)
        {
            funcs = info.funcs.len() as u32;
            counts = Counts {
                types: info.types.len() as u32,
                tags: info.tags.len() as u32,
                globals: info.globals.len() as u32,
                has_tag_section: !info.tags.is_empty(),
                tag_section_written: false,
            };
            for e in &info.exports {
                if e.kind == oracles::ItemKind::Func
                    && let Some(&ty) = info.funcs.get(e.index as usize)
                    && let Some(Some(sig)) = info.types.get(ty as usize)
                {
                    wrappers.push(Wrapper {
                        name: e.name.clone(),
                        target: e.index,
                        ty,
                        params: sig.params.len() as u32,
                    });
                }
            }
        }
        let mut pass = Pass {
            rng: Rng::new(self.seed),
            reshape: *self,
            memories: Vec::new(),
            wrappers,
            funcs,
            counts,
        };
        let mut module = wasm_encoder::Module::new();
        pass.parse_core_module(&mut module, wasmparser::Parser::new(0), wasm)?;
        Ok(module.finish())
    }
}

struct Pass {
    rng: Rng,
    reshape: Reshape,
    /// (64-bit, minimum bytes) of every memory, in index order.
    memories: Vec<(bool, u64)>,
    /// Refuelling wrappers to append.
    wrappers: Vec<Wrapper>,
    /// Functions in the module before the wrappers.
    funcs: u32,
    /// Index spaces before the pass (the fuel tag, its type and the flag global follow).
    counts: Counts,
}

/// Sizes of index spaces before the pass.
#[derive(Default)]
struct Counts {
    types: u32,
    tags: u32,
    globals: u32,
    has_tag_section: bool,
    tag_section_written: bool,
}

/// A refuelling wrapper: export name and index of the function it calls, its type.
struct Wrapper {
    name: String,
    target: u32,
    ty: u32,
    params: u32,
}

impl Pass {
    fn fuel_tag(&self) -> TagType {
        TagType {
            kind: TagKind::Exception,
            func_type_idx: self.counts.types,
        }
    }
}

impl Reencode for Pass {
    type Error = Infallible;

    fn parse_function_section(
        &mut self,
        functions: &mut wasm_encoder::FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), ReencodeError<Infallible>> {
        utils::parse_function_section(self, functions, section)?;
        for w in &self.wrappers {
            functions.function(w.ty);
        }
        Ok(())
    }

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), ReencodeError<Infallible>> {
        utils::parse_type_section(self, types, section)?;
        if self.reshape.throws() {
            types.ty().function([], []);
        }
        Ok(())
    }

    fn parse_tag_section(
        &mut self,
        tags: &mut wasm_encoder::TagSection,
        section: wasmparser::TagSectionReader<'_>,
    ) -> Result<(), ReencodeError<Infallible>> {
        utils::parse_tag_section(self, tags, section)?;
        if self.reshape.throws() {
            tags.tag(self.fuel_tag());
        }
        Ok(())
    }

    fn intersperse_section_hook(
        &mut self,
        module: &mut wasm_encoder::Module,
        after: Option<SectionId>,
        before: Option<SectionId>,
    ) -> Result<(), ReencodeError<Infallible>> {
        let _ = after;
        let later = matches!(
            before,
            None | Some(
                SectionId::Global
                    | SectionId::Export
                    | SectionId::Start
                    | SectionId::Element
                    | SectionId::DataCount
                    | SectionId::Code
                    | SectionId::Data
            )
        );
        if self.reshape.throws()
            && !self.counts.has_tag_section
            && !self.counts.tag_section_written
            && later
        {
            let mut tags = wasm_encoder::TagSection::new();
            tags.tag(self.fuel_tag());
            module.section(&tags);
            self.counts.tag_section_written = true;
        }
        Ok(())
    }

    fn parse_global_section(
        &mut self,
        globals: &mut wasm_encoder::GlobalSection,
        section: wasmparser::GlobalSectionReader<'_>,
    ) -> Result<(), ReencodeError<Infallible>> {
        utils::parse_global_section(self, globals, section)?;
        if self.reshape.throws() {
            globals.global(
                GlobalType {
                    val_type: ValType::I32,
                    mutable: true,
                    shared: false,
                },
                &ConstExpr::i32_const(0),
            );
        }
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: wasmparser::FunctionBody<'_>,
    ) -> Result<(), ReencodeError<Infallible>> {
        let mut f = self.new_function_with_parsed_locals(&func)?;
        let mut reader = func.get_operators_reader()?;
        let mut ops = Vec::new();
        while !reader.eof() {
            ops.push(self.parse_instruction(&mut reader)?);
        }
        let fuel = self.reshape.refuel.map(|(g, _)| g);
        let mut i = 0;
        while i < ops.len() {
            let check = self.reshape.throws()
                && matches!(
                    &ops[i..],
                    [Instruction::GlobalGet(g), Instruction::I32Eqz, Instruction::If(BlockType::Empty),
                     Instruction::Unreachable, Instruction::End, ..] if Some(*g) == fuel
                );
            if check {
                let flag = self.counts.globals;
                for op in &ops[i..i + 3] {
                    f.instruction(op);
                }
                f.instruction(&Instruction::GlobalGet(flag));
                f.instruction(&Instruction::If(BlockType::Empty));
                f.instruction(&Instruction::Unreachable);
                f.instruction(&Instruction::End);
                f.instruction(&Instruction::I32Const(1));
                f.instruction(&Instruction::GlobalSet(flag));
                f.instruction(&Instruction::Throw(self.counts.tags));
                f.instruction(&Instruction::End);
                i += 5;
            } else {
                f.instruction(&ops[i]);
                i += 1;
            }
        }
        code.function(&f);
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut wasm_encoder::ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), ReencodeError<Infallible>> {
        utils::parse_export_section(self, exports, section)?;
        for (i, w) in self.wrappers.iter().enumerate() {
            let name = format!("{REFUEL_PREFIX}{}", w.name);
            exports.export(&name, ExportKind::Func, self.funcs + i as u32);
        }
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), ReencodeError<Infallible>> {
        utils::parse_code_section(self, code, section)?;
        if let Some((global, fuel)) = self.reshape.refuel {
            for w in &self.wrappers {
                let mut f = Function::new([]);
                f.instruction(&Instruction::I32Const(fuel as i32));
                f.instruction(&Instruction::GlobalSet(global));
                if self.reshape.throws() {
                    f.instruction(&Instruction::I32Const(0));
                    f.instruction(&Instruction::GlobalSet(self.counts.globals));
                }
                for p in 0..w.params {
                    f.instruction(&Instruction::LocalGet(p));
                }
                f.instruction(&Instruction::Call(w.target));
                f.instruction(&Instruction::End);
                code.function(&f);
            }
        }
        Ok(())
    }

    fn memory_type(
        &mut self,
        ty: wasmparser::MemoryType,
    ) -> Result<wasm_encoder::MemoryType, ReencodeError<Infallible>> {
        let mut out = utils::memory_type(self, ty);
        let page = ty.page_size_log2.map_or(PAGE, |l| 1 << l);
        self.memories
            .push((ty.memory64, ty.initial.saturating_mul(page)));
        if ty.memory64
            && let Some(max) = self.reshape.widen_memory64_max
        {
            out.maximum = Some(max.max(ty.initial));
        }
        Ok(out)
    }

    fn mem_arg(
        &mut self,
        arg: wasmparser::MemArg,
    ) -> Result<wasm_encoder::MemArg, ReencodeError<Infallible>> {
        let mut out = utils::mem_arg(self, arg)?;
        if let wasmparser::MemArgTarget::Memory(m) = arg.target
            && let Some(&(mem64, bytes)) = self.memories.get(m as usize)
            && self.rng.chance(u64::from(self.reshape.offset_percent), 100)
        {
            out.offset = addresses::interesting(&mut self.rng, bytes, mem64, 1 << arg.max_align);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offsets(wasm: &[u8]) -> Vec<u64> {
        let mut out = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(wasm) {
            if let wasmparser::Payload::CodeSectionEntry(body) = payload.unwrap() {
                let mut ops = body.get_operators_reader().unwrap();
                while !ops.eof() {
                    if let wasmparser::Operator::I64Load { memarg } = ops.read().unwrap() {
                        out.push(memarg.offset);
                    }
                }
            }
        }
        out
    }

    #[test]
    fn offsets_move_and_maxima_widen() {
        let wasm = wat::parse_str(
            r#"(module (memory i64 1 2)
                 (func (param i64) (result i64)
                   local.get 0 i64.load offset=3
                   local.get 0 i64.load offset=3 i64.add))"#,
        )
        .unwrap();
        let reshape = Reshape {
            offset_percent: 100,
            widen_memory64_max: Some(65537),
            seed: 1,
            refuel: None,
            fuel_throws: false,
        };
        let out = reshape.apply(&wasm).unwrap();
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(&out)
            .unwrap();
        let info = oracles::ModuleInfo::parse(&out).unwrap();
        assert_eq!(info.memories[0].max, Some(65537));
        assert!(offsets(&out).iter().all(|&o| o != 3), "{:?}", offsets(&out));
        assert_eq!(Reshape::default().apply(&wasm).unwrap(), wasm);
    }

    #[test]
    fn refuel_wrappers_reset_the_fuel_global() {
        let wasm = wat::parse_str(
            r#"(module (global $fuel (mut i32) (i32.const 0))
                 (func (export "f") (param i32 i64) (result i32) global.get $fuel))"#,
        )
        .unwrap();
        let reshape = Reshape {
            refuel: Some((0, 77)),
            ..Reshape::default()
        };
        let out = reshape.apply(&wasm).unwrap();
        crate::generate::validate(&out).unwrap();
        let engine = oracles::EngineKind::Cranelift.build().unwrap();
        let plan = oracles::Plan {
            calls: vec![oracles::differential::Call {
                func: format!("{REFUEL_PREFIX}f"),
                args: vec![oracles::Val::I32(0), oracles::Val::I64(0)],
            }],
        };
        let report = oracles::run_case(&[engine.as_ref()], &out, &plan, &Default::default());
        let observed = report.steps[1].observations[0].as_ref().unwrap();
        assert_eq!(
            observed.outcome,
            Ok(oracles::Outcome::Return(vec![oracles::Val::I32(77)]))
        );
    }

    #[test]
    fn first_fuel_exhaustion_throws_then_traps() {
        let wasm = wat::parse_str(
            r#"(module
                 (global $fuel (mut i32) (i32.const 0))
                 (func (export "f")
                   (loop $l
                     global.get $fuel i32.eqz (if (then unreachable))
                     global.get $fuel i32.const 1 i32.sub global.set $fuel
                     br $l))
                 (func (export "g")
                   (loop $l
                     (block $b
                       (try_table (catch_all $b)
                         global.get $fuel i32.eqz (if (then unreachable))
                         global.get $fuel i32.const 1 i32.sub global.set $fuel))
                     br $l)))"#,
        )
        .unwrap();
        let reshape = Reshape {
            refuel: Some((0, 5)),
            fuel_throws: true,
            ..Reshape::default()
        };
        let out = reshape.apply(&wasm).unwrap();
        crate::generate::validate(&out).unwrap();
        let engine = oracles::EngineKind::Cranelift.build().unwrap();
        let call = |f: &str| oracles::differential::Call {
            func: format!("{REFUEL_PREFIX}{f}"),
            args: vec![],
        };
        let plan = oracles::Plan {
            calls: vec![call("f"), call("g"), call("f")],
        };
        let report = oracles::run_case(&[engine.as_ref()], &out, &plan, &Default::default());
        let kinds: Vec<String> = report.steps[1..]
            .iter()
            .map(|s| match &s.observations[0].as_ref().unwrap().outcome {
                Ok(oracles::Outcome::Trap(t)) => format!("trap {:?}", t.kind),
                Ok(o) => o.kind_name().to_string(),
                Err(e) => e.to_string(),
            })
            .collect();
        assert_eq!(kinds, ["exception", "trap Unreachable", "exception"]);
    }
}
