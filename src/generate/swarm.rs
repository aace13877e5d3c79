//! The swarm over wasm-smith: a differential-safe `wasm_smith::Config` chosen per case from the
//! input (features and limits, as wasm-smith's own `Config: Arbitrary` does), termination fuel,
//! and the offset reshaping pass.

use crate::generate::choices::Choices;
use crate::generate::reshape::Reshape;
use std::fmt::Write as _;
use wasm_smith::{Config, InstructionKind, InstructionKinds, MemoryOffsetChoices};

/// Which way a profile leans the swarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lean {
    /// Every proposal in scope, each on most of the time.
    Mixed,
    /// Exceptions forced on, more tags, fewer traps, control-heavy instruction mixes.
    Throw,
    /// memory64 forced on, more memories, memory-heavy instruction mixes, reshaped offsets.
    Memory,
    /// Exceptions and memory64 both forced on, with at least one memory; the rest (tag
    /// counts included, so that some modules use no exceptions) as [`Lean::Mixed`].
    Both,
    /// Exceptions off (for engines without them: wasmi, Winch) and memory64 forced on, with at
    /// least one memory; tail calls and reference types (whose `externref` Winch lacks) each on
    /// only one time in eight; the rest as [`Lean::Mixed`].
    Portable,
}

/// One swarm configuration: wasm-smith's `Config` plus what catchall does around it.
pub struct Swarm {
    /// wasm-smith's configuration, always differential-safe (see [`choose`]).
    pub config: Config,
    /// The fuel given to `Module::ensure_termination`: the number of function entries and loop
    /// iterations one call may execute before it traps with `unreachable`. Every exported
    /// function gets a wrapper that resets the fuel (see [`Reshape::refuel`]) and plans call
    /// the wrappers. Defaults to 1000; one of 100, 500, 1000, 2000.
    pub fuel: u32,
    /// The number of input bytes handed to wasm-smith, which bounds the module's size together
    /// with `max_funcs` and `max_instructions`.
    pub input_len: usize,
    /// The re-encoding pass applied to wasm-smith's output.
    pub reshape: Reshape,
    /// The instruction kinds allowed (also in `config`, kept for the description).
    pub kinds: Vec<InstructionKind>,
}

/// Why wasm-smith produced no module.
#[derive(Debug, thiserror::Error)]
pub enum SwarmError {
    /// `Module::new` failed.
    #[error("wasm-smith: {0}")]
    Smith(String),
    /// `Module::ensure_termination` failed.
    #[error("ensure_termination: {0}")]
    Terminate(String),
    /// The reshaping pass failed.
    #[error("reshape: {0}")]
    Reshape(String),
}

/// Byte sizes the swarm picks for memories: both the minimum and the declared maximum of
/// every memory stay within the chosen size, so initial memories (which every engine
/// snapshots after every call) stay small.
const MEMORY_BYTES: [u64; 5] = [64 << 10, 128 << 10, 256 << 10, 1 << 20, 2 << 20];

/// Chooses a swarm configuration from `c`, leaning as `lean` says.
///
/// Always: NaNs canonicalized, everything exported, no imports, no SIMD, relaxed SIMD, GC,
/// threads, custom page sizes, wide arithmetic, shared-everything threads or custom
/// descriptors (wasm-smith generates no legacy exception instructions at all), memories of at
/// most 2 MiB each, tables of at most 1000 elements. Chosen per case: exceptions and memory64
/// (forced by the `Throw` and `Memory` leans), multi-memory, tail calls, bulk memory,
/// reference types, extended const, multi-value, the instruction mix, traps allowed or not,
/// counts and sizes.
pub fn choose(c: &mut Choices, lean: Lean) -> Swarm {
    let mut config = Config::default();
    // Differential safety, whatever the input.
    config.canonicalize_nans = true;
    config.export_everything = true;
    config.max_imports = 0;
    config.min_imports = 0;
    config.simd_enabled = false;
    config.relaxed_simd_enabled = false;
    config.gc_enabled = false;
    config.threads_enabled = false;
    config.custom_page_sizes_enabled = false;
    config.wide_arithmetic_enabled = false;
    config.shared_everything_threads_enabled = false;
    config.custom_descriptors_enabled = false;
    config.acquire_release_atomics_enabled = false;
    config.multibyte_array_access_enabled = false;
    config.compact_imports_enabled = false;
    config.allow_invalid_funcs = false;
    config.generate_custom_sections = false;

    // Proposals.
    config.exceptions_enabled = match lean {
        Lean::Throw | Lean::Both => true,
        Lean::Portable => false,
        Lean::Memory => c.chance(1, 3),
        Lean::Mixed => c.chance(3, 4),
    };
    config.memory64_enabled = match lean {
        Lean::Memory | Lean::Both | Lean::Portable => true,
        Lean::Throw => c.chance(1, 2),
        Lean::Mixed => c.chance(3, 4),
    };
    config.reference_types_enabled = match lean {
        Lean::Throw => true,
        Lean::Portable => c.chance(1, 8),
        _ => c.chance(4, 5),
    };
    config.multi_value_enabled = c.chance(4, 5);
    config.bulk_memory_enabled = c.chance(4, 5);
    config.tail_call_enabled = match lean {
        Lean::Portable => c.chance(1, 8),
        _ => c.chance(2, 3),
    };
    config.extended_const_enabled = c.chance(1, 2);
    config.saturating_float_to_int_enabled = c.chance(4, 5);
    config.sign_extension_ops_enabled = c.chance(4, 5);
    config.allow_floats = c.chance(3, 4);

    // Counts: moderate, because the campaign's throughput is bounded by compile time. The
    // minima matter as much as the maxima: wasm-smith continues each item loop on a coin flip
    // of the input, so uniformly random input yields about one type and one function, and
    // with no function type without results, no tag. `Config: Arbitrary` leaves minima at 0
    // because a fuzzer's evolved input learns to continue; derived input does not.
    config.max_types = c.range(2, 16) as usize;
    config.min_types = c.range(1, config.max_types.min(6) as u64) as usize;
    config.max_funcs = c.range(1, 16) as usize;
    config.min_funcs = c.range(1, config.max_funcs as u64) as usize;
    config.max_instructions = *c.pick(&[20, 50, 100, 150]);
    config.max_globals = c.range(0, 12) as usize;
    config.min_globals = c.range(0, config.max_globals as u64 / 2) as usize;
    config.max_tags = match lean {
        Lean::Throw => c.range(1, 6) as usize,
        _ => c.range(0, 6) as usize,
    };
    config.min_tags = match lean {
        Lean::Throw => c.range(1, config.max_tags as u64) as usize,
        _ => c.range(0, config.max_tags as u64) as usize,
    };
    config.max_memories = match lean {
        Lean::Memory => *c.pick(&[1, 1, 2, 3]),
        Lean::Both | Lean::Portable => *c.pick(&[1, 1, 1, 2]),
        _ => *c.pick(&[0, 1, 1, 1, 2]),
    };
    if matches!(lean, Lean::Memory | Lean::Both | Lean::Portable)
        || (config.max_memories > 0 && c.chance(1, 2))
    {
        config.min_memories = 1;
    }
    config.max_tables = c.range(0, 3) as usize;
    config.max_table_elements = *c.pick(&[1, 10, 100, 1000]);
    config.table_max_size_required = c.chance(1, 2);
    config.max_data_segments = c.range(0, 4) as usize;
    config.max_element_segments = c.range(0, 4) as usize;
    config.max_elements = c.range(0, 32) as usize;
    // Without imports, wasm-smith counts only exports against this budget, and with
    // `export_everything` a module whose exports outgrow it fails to generate at all (1 in
    // several thousand cases at 200): wasm-smith's own default, which only turns those
    // failures into modules.
    config.max_type_size = 1000;
    config.const_expr_fuel = c.range(4, 50) as u32;
    config.min_uleb_size = if c.chance(1, 8) {
        c.range(2, 5) as u8
    } else {
        1
    };

    // Memories: small minimum and maximum; 64-bit maxima are widened after generation.
    config.max_memory32_bytes = *c.pick(&MEMORY_BYTES);
    config.max_memory64_bytes = u128::from(*c.pick(&MEMORY_BYTES));
    config.memory_max_size_required = c.chance(1, 2);
    config.memory_offset_choices = match c.below(4) {
        0 => MemoryOffsetChoices(90, 9, 1),
        1 => MemoryOffsetChoices(50, 40, 10),
        2 => MemoryOffsetChoices(20, 60, 20),
        _ => MemoryOffsetChoices(60, 20, 20),
    };

    // Traps: wasm-smith's trap avoidance lets more code run to its throws and stores.
    config.disallow_traps = match lean {
        Lean::Throw => c.chance(1, 2),
        _ => c.chance(1, 4),
    };

    // The instruction mix. wasm-smith picks among all valid instructions of the allowed
    // kinds, with `throw` weighted down (150 against 1000 for most), so with the numeric
    // operators allowed a `throw` is about one instruction in a thousand. Control-heavy
    // mixes (control, variable and parametric instructions, maybe integer numerics or
    // references) make throws, `try_table`s and calls common. Otherwise each kind is on with
    // high probability, like `Config: Arbitrary`; control is forced when leaning towards
    // throws and memory when leaning towards memories. Vector and aggregate instructions are
    // out of scope (their proposals are off).
    let control_heavy = match lean {
        Lean::Throw => c.chance(3, 4),
        Lean::Mixed | Lean::Both | Lean::Portable => c.chance(1, 4),
        Lean::Memory => false,
    };
    let mut kinds = Vec::new();
    if control_heavy {
        kinds.extend([
            InstructionKind::Control,
            InstructionKind::Variable,
            InstructionKind::Parametric,
        ]);
        match c.below(4) {
            0 => kinds.push(InstructionKind::NumericInt),
            1 => kinds.push(InstructionKind::Reference),
            2 => kinds.push(InstructionKind::MemoryInt),
            _ => {}
        }
    } else {
        for (kind, forced) in [
            (InstructionKind::Numeric, false),
            (InstructionKind::Reference, false),
            (InstructionKind::Parametric, false),
            (InstructionKind::Variable, false),
            (InstructionKind::Table, false),
            (InstructionKind::Memory, lean == Lean::Memory),
            (InstructionKind::Control, lean == Lean::Throw),
        ] {
            if forced || c.chance(5, 6) {
                kinds.push(kind);
            }
        }
        if !kinds.contains(&InstructionKind::Numeric) && c.chance(1, 2) {
            kinds.push(InstructionKind::NumericInt);
        }
    }
    config.allowed_instructions = InstructionKinds::new(&kinds);

    // More fuel lets recursion run deeper than some engines' stacks (call-stack exhaustion
    // poisons the rest of the case); 2000 rarely does.
    let fuel = match lean {
        Lean::Throw => *c.pick(&[500, 1000, 2000]),
        _ => *c.pick(&[100, 1000, 1000, 2000]),
    };
    let input_len = *c.pick(&[512, 2048, 8192, 16384]);
    let reshape = Reshape {
        offset_percent: match lean {
            Lean::Memory => *c.pick(&[10, 30, 60, 90]),
            _ => *c.pick(&[0, 0, 10, 30]),
        },
        widen_memory64_max: if config.memory64_enabled && c.chance(1, 3) {
            Some(*c.pick(&[(1 << 16) + 1, 1 << 17, 1 << 32, 1 << 48]))
        } else {
            None
        },
        seed: c.bits(),
        refuel: None,
        fuel_throws: config.exceptions_enabled
            && match lean {
                Lean::Throw => c.chance(3, 4),
                Lean::Mixed | Lean::Both | Lean::Portable => c.chance(1, 2),
                Lean::Memory => c.chance(1, 4),
            },
    };
    Swarm {
        config,
        fuel,
        input_len,
        reshape,
        kinds,
    }
}

impl Swarm {
    /// Generates the module from the next `input_len` bytes of `c`, makes it terminate, and
    /// reshapes it.
    pub fn build(&self, c: &mut Choices) -> Result<Vec<u8>, SwarmError> {
        let len = self.input_len.min(c.remaining());
        let bytes = c.unstructured().bytes(len).unwrap_or(&[]).to_vec();
        let mut u = arbitrary::Unstructured::new(&bytes);
        let mut module = wasm_smith::Module::new(self.config.clone(), &mut u)
            .map_err(|e| SwarmError::Smith(e.to_string()))?;
        let global = module
            .ensure_termination(self.fuel)
            .map_err(|e| SwarmError::Terminate(e.to_string()))?;
        let reshape = Reshape {
            refuel: Some((global, self.fuel)),
            ..self.reshape
        };
        reshape
            .apply(&module.to_bytes())
            .map_err(|e| SwarmError::Reshape(e.to_string()))
    }

    /// A one-line description of the choices (`exceptions memory64 tail-call funcs<=12 ...`).
    pub fn describe(&self) -> String {
        let k = &self.config;
        let mut s = String::new();
        let _ = write!(s, "instructions={:?} ", self.kinds);
        for (on, name) in [
            (k.exceptions_enabled, "exceptions"),
            (k.memory64_enabled, "memory64"),
            (k.max_memories > 1, "multi-memory"),
            (k.tail_call_enabled, "tail-call"),
            (k.bulk_memory_enabled, "bulk-memory"),
            (k.reference_types_enabled, "reference-types"),
            (k.extended_const_enabled, "extended-const"),
            (k.multi_value_enabled, "multi-value"),
            (!k.allow_floats, "no-floats"),
            (k.disallow_traps, "no-traps"),
        ] {
            if on {
                s.push_str(name);
                s.push(' ');
            }
        }
        let _ = write!(
            s,
            "funcs={}..={} instrs<={} types={}..={} tags={}..={} globals<={} mems<={} \
             tables<={} table_elems<={} mem32<={}KiB mem64<={}KiB offsets={},{},{} fuel={} \
             input={}B reshape={}%",
            k.min_funcs,
            k.max_funcs,
            k.max_instructions,
            k.min_types,
            k.max_types,
            k.min_tags,
            k.max_tags,
            k.max_globals,
            k.max_memories,
            k.max_tables,
            k.max_table_elements,
            k.max_memory32_bytes >> 10,
            k.max_memory64_bytes >> 10,
            k.memory_offset_choices.0,
            k.memory_offset_choices.1,
            k.memory_offset_choices.2,
            self.fuel,
            self.input_len,
            self.reshape.offset_percent,
        );
        if self.reshape.fuel_throws {
            s.push_str(" fuel-throws");
        }
        if let Some(max) = self.reshape.widen_memory64_max {
            let _ = write!(s, " mem64_max={max}p");
        }
        if k.min_uleb_size > 1 {
            let _ = write!(s, " uleb>={}", k.min_uleb_size);
        }
        s
    }
}
