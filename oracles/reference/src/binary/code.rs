//! Function bodies (spec 5.4 "Instructions"): wasmparser's operator stream to the structured [`Instr`] tree.

use super::{Decoder, Problem};
use crate::syntax::{BlockType, Catch, CatchKind, Instr, MemArg, RefType};
use wasmparser::{FuncValidator, Operator, OperatorsReader, ValidatorResources};

/// A translated function body.
pub(super) struct Code {
    pub(super) body: Box<[Instr]>,
    pub(super) br_tables: Box<[Box<[u32]>]>,
    pub(super) catch_tables: Box<[Box<[Catch]>]>,
    /// The highest the operand stack gets (without locals), as the validator counts it.
    pub(super) max_stack: u32,
}

/// A structured instruction whose body is being read.
struct Open {
    /// Position of its header instruction.
    start: usize,
    /// Whether it is a `try_table` (whose body is followed by `EndHandler`).
    try_table: bool,
    /// For an `if`: the position just after its `Else`, once seen.
    else_at: Option<usize>,
    /// Whether it is an `if`.
    is_if: bool,
}

/// Translates the operators of one function body, validating each with `validator` (until it
/// reports an error, which is recorded in the decoder).
pub(super) fn translate(
    d: &mut Decoder,
    mut reader: OperatorsReader,
    mut validator: Option<FuncValidator<ValidatorResources>>,
) -> Result<Code, Problem> {
    let mut max_stack = 0u32;
    let mut body: Vec<Instr> = Vec::new();
    let mut br_tables: Vec<Box<[u32]>> = Vec::new();
    let mut catch_tables: Vec<Box<[Catch]>> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let mut done = false;
    while !reader.eof() {
        let offset = reader.original_position();
        let op = reader.read()?;
        if let Some(v) = &mut validator {
            match v.op(offset, &op) {
                Ok(()) => max_stack = max_stack.max(v.operand_stack_height()),
                Err(e) => {
                    d.invalid(e);
                    validator = None;
                }
            }
        }
        if done {
            return Err(Problem::Malformed(
                "operators remaining after end of function".into(),
            ));
        }
        let instr = match op {
            Operator::Unreachable => Instr::Unreachable,
            Operator::Nop => Instr::Nop,
            Operator::Block { blockty } => {
                let ty = block_type(d, blockty)?;
                open.push(Open {
                    start: body.len(),
                    try_table: false,
                    else_at: None,
                    is_if: false,
                });
                Instr::Block { ty, len: 0 }
            }
            Operator::Loop { blockty } => {
                let ty = block_type(d, blockty)?;
                open.push(Open {
                    start: body.len(),
                    try_table: false,
                    else_at: None,
                    is_if: false,
                });
                Instr::Loop { ty, len: 0 }
            }
            Operator::If { blockty } => {
                let ty = block_type(d, blockty)?;
                open.push(Open {
                    start: body.len(),
                    try_table: false,
                    else_at: None,
                    is_if: true,
                });
                Instr::If {
                    ty,
                    then_len: 0,
                    len: 0,
                }
            }
            Operator::TryTable { try_table } => {
                let ty = block_type(d, try_table.ty)?;
                let catches: Box<[Catch]> = try_table
                    .catches
                    .iter()
                    .map(|c| match *c {
                        wasmparser::Catch::One { tag, label } => Catch {
                            kind: CatchKind::Catch,
                            tag,
                            label,
                        },
                        wasmparser::Catch::OneRef { tag, label } => Catch {
                            kind: CatchKind::CatchRef,
                            tag,
                            label,
                        },
                        wasmparser::Catch::All { label } => Catch {
                            kind: CatchKind::CatchAll,
                            tag: 0,
                            label,
                        },
                        wasmparser::Catch::AllRef { label } => Catch {
                            kind: CatchKind::CatchAllRef,
                            tag: 0,
                            label,
                        },
                    })
                    .collect();
                catch_tables.push(catches);
                open.push(Open {
                    start: body.len(),
                    try_table: true,
                    else_at: None,
                    is_if: false,
                });
                Instr::TryTable {
                    ty,
                    catches: index(catch_tables.len() - 1)?,
                    len: 0,
                }
            }
            // Legacy exception handling is out of scope, but its `try` opens a block whose
            // `end` (or `delegate`) must still balance for the rest of the body to decode.
            Operator::Try { .. } => {
                d.unsupported("legacy-exceptions", || "the instruction try".into());
                open.push(Open {
                    start: body.len(),
                    try_table: false,
                    else_at: None,
                    is_if: false,
                });
                Instr::Block {
                    ty: BlockType {
                        params: 0,
                        results: 0,
                    },
                    len: 0,
                }
            }
            Operator::Delegate { .. } => {
                d.unsupported("legacy-exceptions", || "the instruction delegate".into());
                let Some(o) = open.pop() else {
                    return Err(Problem::Inconsistent("delegate outside of a try".into()));
                };
                body.push(Instr::End);
                let len = index(body.len() - (o.start + 1))?;
                if let Instr::Block { len: l, .. } = &mut body[o.start] {
                    *l = len;
                }
                continue;
            }
            Operator::Else => {
                let Some(top) = open.last_mut() else {
                    return Err(Problem::Inconsistent("else outside of an if".into()));
                };
                if !top.is_if || top.else_at.is_some() {
                    return Err(Problem::Inconsistent("else outside of an if".into()));
                }
                top.else_at = Some(body.len() + 1);
                Instr::Else
            }
            Operator::End => match open.pop() {
                None => {
                    done = true;
                    Instr::Return
                }
                Some(o) => {
                    body.push(Instr::End);
                    let len = index(body.len() - (o.start + 1))?;
                    if o.try_table {
                        body.push(Instr::EndHandler);
                    }
                    match &mut body[o.start] {
                        Instr::Block { len: l, .. }
                        | Instr::Loop { len: l, .. }
                        | Instr::TryTable { len: l, .. } => *l = len,
                        Instr::If {
                            then_len, len: l, ..
                        } => {
                            *l = len;
                            *then_len = match o.else_at {
                                Some(e) => index(e - (o.start + 1))?,
                                None => len,
                            };
                        }
                        other => unreachable!("open construct at a non-structured {other:?}"),
                    }
                    continue;
                }
            },
            Operator::Br { relative_depth } => Instr::Br(relative_depth),
            Operator::BrIf { relative_depth } => Instr::BrIf(relative_depth),
            Operator::BrTable { targets } => {
                let mut labels = Vec::with_capacity(targets.len() as usize + 1);
                for t in targets.targets() {
                    labels.push(t?);
                }
                labels.push(targets.default());
                br_tables.push(labels.into_boxed_slice());
                Instr::BrTable(index(br_tables.len() - 1)?)
            }
            Operator::Return => Instr::Return,
            Operator::Call { function_index } => Instr::Call(function_index),
            Operator::CallIndirect {
                type_index,
                table_index,
            } => Instr::CallIndirect {
                ty: type_index,
                table: table_index,
            },
            Operator::ReturnCall { function_index } => Instr::ReturnCall(function_index),
            Operator::ReturnCallIndirect {
                type_index,
                table_index,
            } => Instr::ReturnCallIndirect {
                ty: type_index,
                table: table_index,
            },
            Operator::Throw { tag_index } => Instr::Throw(tag_index),
            Operator::ThrowRef => Instr::ThrowRef,
            Operator::Drop => Instr::Drop,
            Operator::Select => Instr::Select,
            Operator::TypedSelect { ty } => {
                d.val_type(ty);
                Instr::Select
            }
            Operator::LocalGet { local_index } => Instr::LocalGet(local_index),
            Operator::LocalSet { local_index } => Instr::LocalSet(local_index),
            Operator::LocalTee { local_index } => Instr::LocalTee(local_index),
            Operator::GlobalGet { global_index } => Instr::GlobalGet(global_index),
            Operator::GlobalSet { global_index } => Instr::GlobalSet(global_index),
            Operator::TableGet { table } => Instr::TableGet(table),
            Operator::TableSet { table } => Instr::TableSet(table),
            Operator::TableSize { table } => Instr::TableSize(table),
            Operator::TableGrow { table } => Instr::TableGrow(table),
            Operator::TableFill { table } => Instr::TableFill(table),
            Operator::TableCopy {
                dst_table,
                src_table,
            } => Instr::TableCopy {
                dst: dst_table,
                src: src_table,
            },
            Operator::TableInit { elem_index, table } => Instr::TableInit {
                elem: elem_index,
                table,
            },
            Operator::ElemDrop { elem_index } => Instr::ElemDrop(elem_index),
            Operator::I32Load { memarg } => Instr::I32Load(mem_arg(d, memarg)),
            Operator::I64Load { memarg } => Instr::I64Load(mem_arg(d, memarg)),
            Operator::F32Load { memarg } => Instr::F32Load(mem_arg(d, memarg)),
            Operator::F64Load { memarg } => Instr::F64Load(mem_arg(d, memarg)),
            Operator::I32Load8S { memarg } => Instr::I32Load8S(mem_arg(d, memarg)),
            Operator::I32Load8U { memarg } => Instr::I32Load8U(mem_arg(d, memarg)),
            Operator::I32Load16S { memarg } => Instr::I32Load16S(mem_arg(d, memarg)),
            Operator::I32Load16U { memarg } => Instr::I32Load16U(mem_arg(d, memarg)),
            Operator::I64Load8S { memarg } => Instr::I64Load8S(mem_arg(d, memarg)),
            Operator::I64Load8U { memarg } => Instr::I64Load8U(mem_arg(d, memarg)),
            Operator::I64Load16S { memarg } => Instr::I64Load16S(mem_arg(d, memarg)),
            Operator::I64Load16U { memarg } => Instr::I64Load16U(mem_arg(d, memarg)),
            Operator::I64Load32S { memarg } => Instr::I64Load32S(mem_arg(d, memarg)),
            Operator::I64Load32U { memarg } => Instr::I64Load32U(mem_arg(d, memarg)),
            Operator::I32Store { memarg } => Instr::I32Store(mem_arg(d, memarg)),
            Operator::I64Store { memarg } => Instr::I64Store(mem_arg(d, memarg)),
            Operator::F32Store { memarg } => Instr::F32Store(mem_arg(d, memarg)),
            Operator::F64Store { memarg } => Instr::F64Store(mem_arg(d, memarg)),
            Operator::I32Store8 { memarg } => Instr::I32Store8(mem_arg(d, memarg)),
            Operator::I32Store16 { memarg } => Instr::I32Store16(mem_arg(d, memarg)),
            Operator::I64Store8 { memarg } => Instr::I64Store8(mem_arg(d, memarg)),
            Operator::I64Store16 { memarg } => Instr::I64Store16(mem_arg(d, memarg)),
            Operator::I64Store32 { memarg } => Instr::I64Store32(mem_arg(d, memarg)),
            Operator::MemorySize { mem } => Instr::MemorySize(mem),
            Operator::MemoryGrow { mem } => Instr::MemoryGrow(mem),
            Operator::MemoryFill { mem } => Instr::MemoryFill(mem),
            Operator::MemoryCopy { dst_mem, src_mem } => Instr::MemoryCopy {
                dst: dst_mem,
                src: src_mem,
            },
            Operator::MemoryInit { data_index, mem } => Instr::MemoryInit {
                data: data_index,
                mem,
            },
            Operator::DataDrop { data_index } => Instr::DataDrop(data_index),
            Operator::RefNull { hty } => Instr::RefNull(d.heap_type(hty).unwrap_or(RefType::Func)),
            Operator::RefIsNull => Instr::RefIsNull,
            Operator::RefFunc { function_index } => Instr::RefFunc(function_index),
            Operator::I32Const { value } => Instr::I32Const(value),
            Operator::I64Const { value } => Instr::I64Const(value),
            Operator::F32Const { value } => Instr::F32Const(value.bits()),
            Operator::F64Const { value } => Instr::F64Const(value.bits()),
            other => match numeric(&other) {
                Some(instr) => instr,
                None => {
                    let proposal = proposal_of(&other);
                    d.unsupported(proposal, || format!("the instruction {other:?}"));
                    Instr::Unreachable
                }
            },
        };
        body.push(instr);
    }
    if !done {
        return Err(Problem::Malformed("END opcode expected".into()));
    }
    if let Some(v) = validator {
        d.allocs = v.into_allocations();
    }
    Ok(Code {
        max_stack,
        body: body.into_boxed_slice(),
        br_tables: br_tables.into_boxed_slice(),
        catch_tables: catch_tables.into_boxed_slice(),
    })
}

/// A body length or side-table index as stored in an instruction.
fn index(n: usize) -> Result<u32, Problem> {
    u32::try_from(n).map_err(|_| Problem::Inconsistent("function body too large".into()))
}

fn block_type(d: &mut Decoder, bt: wasmparser::BlockType) -> Result<BlockType, Problem> {
    let (params, results) = match bt {
        wasmparser::BlockType::Empty => (0, 0),
        wasmparser::BlockType::Type(t) => {
            d.val_type(t);
            (0, 1)
        }
        wasmparser::BlockType::FuncType(i) => match d.module.types.get(i as usize) {
            Some(t) => (t.params.len(), t.results.len()),
            None => {
                return Err(Problem::Inconsistent(format!("block of unknown type {i}")));
            }
        },
    };
    let narrow = |n: usize| {
        u16::try_from(n).map_err(|_| Problem::Inconsistent("block type too large".into()))
    };
    Ok(BlockType {
        params: narrow(params)?,
        results: narrow(results)?,
    })
}

fn mem_arg(d: &mut Decoder, m: wasmparser::MemArg) -> MemArg {
    let mem = match m.target {
        wasmparser::MemArgTarget::Memory(mem) => mem,
        wasmparser::MemArgTarget::Array(_) => {
            d.unsupported("gc", || "an array memory access".into());
            0
        }
    };
    MemArg::new(m.offset, mem)
}

macro_rules! define_numeric {
    ($( $shape:ident $name:ident $func:ident )*) => {
        /// The numeric operator `op` is, if it is one.
        fn numeric(op: &Operator) -> Option<Instr> {
            match op {
                $( Operator::$name => Some(Instr::$name), )*
                _ => None,
            }
        }
    };
}
crate::for_each_numeric!(define_numeric);

macro_rules! define_proposal_of {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        /// The proposal that introduced an operator, as the proposals repository names it.
        pub(super) fn proposal_of(op: &Operator) -> &'static str {
            let raw = match op {
                $( Operator::$op { .. } => stringify!($proposal), )*
                #[allow(unreachable_patterns, reason = "future operators of a non-exhaustive enum")]
                _ => "unknown",
            };
            proposal_name(raw)
        }
    };
}
wasmparser::for_each_operator!(define_proposal_of);

/// wasmparser's proposal identifiers spelled as the WebAssembly proposals repository spells them.
fn proposal_name(raw: &'static str) -> &'static str {
    match raw {
        "relaxed_simd" => "relaxed-simd",
        "function_references" => "function-references",
        "legacy_exceptions" => "legacy-exceptions",
        "stack_switching" => "stack-switching",
        "wide_arithmetic" => "wide-arithmetic",
        "memory_control" => "memory-control",
        "shared_everything_threads" => "shared-everything-threads",
        "custom_descriptors" => "custom-descriptors",
        "acquire_release_atomics" => "threads",
        "reference_types" => "reference-types",
        "bulk_memory" => "bulk-memory",
        "saturating_float_to_int" => "saturating-float-to-int",
        "sign_extension" => "sign-extension",
        "tail_call" => "tail-call",
        other => other,
    }
}
