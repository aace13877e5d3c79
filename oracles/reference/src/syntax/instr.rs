//! Instructions (spec 2.4 "Instructions") as a structured tree: every block keeps its body.
//!
//! A function body is a sequence of [`Instr`]. A structured instruction (`block`, `loop`, `if`,
//! `try_table`) is a node whose body is stored inline, right after it, and whose extent it records
//! (`len`): the tree is serialized in pre-order, so the body of a node is the slice that follows
//! it. Every body ends with the instruction that exits it (`End`, or `Else` for a then-branch
//! followed by an else-branch); a `try_table`'s handler is exited by the `EndHandler` right after
//! its body; a function body ends with `Return`. Branches name labels by relative depth exactly as in the
//! source: nothing is lowered to jumps; the evaluator resolves labels on its control stack.

use super::types::RefType;

/// The type of a block, reduced to what evaluation needs: how many values it takes and how many it
/// produces (spec 2.4.8 `blocktype`). Validation has checked the value types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BlockType {
    /// Number of parameters.
    pub params: u16,
    /// Number of results.
    pub results: u16,
}

/// The immediate of a load or store (spec 2.4.7 `memarg`), without the alignment hint, which has
/// no semantics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemArg {
    /// The low half of the static offset (split so that instructions stay 16 bytes).
    offset_lo: u32,
    /// The high half of the static offset.
    offset_hi: u32,
    /// The memory index.
    pub mem: u32,
}

impl MemArg {
    /// A memory immediate of `offset` into memory `mem`.
    pub const fn new(offset: u64, mem: u32) -> MemArg {
        MemArg {
            offset_lo: offset as u32,
            offset_hi: (offset >> 32) as u32,
            mem,
        }
    }

    /// The static offset added to the dynamic address.
    #[inline(always)]
    pub const fn offset(self) -> u64 {
        (self.offset_hi as u64) << 32 | self.offset_lo as u64
    }
}

/// What a catch clause of a `try_table` binds (exceptions proposal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CatchKind {
    /// `catch x l`: the payload.
    Catch,
    /// `catch_ref x l`: the payload, then the exception reference.
    CatchRef,
    /// `catch_all l`: nothing.
    CatchAll,
    /// `catch_all_ref l`: the exception reference.
    CatchAllRef,
}

impl CatchKind {
    /// The position of this kind in the catch-kind counters (`catch`, `catch_ref`, `catch_all`,
    /// `catch_all_ref`).
    pub fn index(self) -> usize {
        match self {
            CatchKind::Catch => 0,
            CatchKind::CatchRef => 1,
            CatchKind::CatchAll => 2,
            CatchKind::CatchAllRef => 3,
        }
    }
}

/// A catch clause of a `try_table`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Catch {
    /// The clause kind.
    pub kind: CatchKind,
    /// The tag index, for `catch` and `catch_ref` (0 and unused otherwise).
    pub tag: u32,
    /// The label to branch to, relative to the context *enclosing* the `try_table`.
    pub label: u32,
}

/// Calls `$m!` with the list of numeric operators: their shape (`un`, `bin`, `un_trap`,
/// `bin_trap`), their [`Instr`] variant (also their wasmparser `Operator` variant) and the
/// function implementing them in `exec::numerics`.
#[macro_export]
#[doc(hidden)]
macro_rules! for_each_numeric {
    ($m:ident) => {
        $m! {
            un I32Eqz i32_eqz
            bin I32Eq i32_eq
            bin I32Ne i32_ne
            bin I32LtS i32_lt_s
            bin I32LtU i32_lt_u
            bin I32GtS i32_gt_s
            bin I32GtU i32_gt_u
            bin I32LeS i32_le_s
            bin I32LeU i32_le_u
            bin I32GeS i32_ge_s
            bin I32GeU i32_ge_u
            un I64Eqz i64_eqz
            bin I64Eq i64_eq
            bin I64Ne i64_ne
            bin I64LtS i64_lt_s
            bin I64LtU i64_lt_u
            bin I64GtS i64_gt_s
            bin I64GtU i64_gt_u
            bin I64LeS i64_le_s
            bin I64LeU i64_le_u
            bin I64GeS i64_ge_s
            bin I64GeU i64_ge_u
            bin F32Eq f32_eq
            bin F32Ne f32_ne
            bin F32Lt f32_lt
            bin F32Gt f32_gt
            bin F32Le f32_le
            bin F32Ge f32_ge
            bin F64Eq f64_eq
            bin F64Ne f64_ne
            bin F64Lt f64_lt
            bin F64Gt f64_gt
            bin F64Le f64_le
            bin F64Ge f64_ge
            un I32Clz i32_clz
            un I32Ctz i32_ctz
            un I32Popcnt i32_popcnt
            bin I32Add i32_add
            bin I32Sub i32_sub
            bin I32Mul i32_mul
            bin_trap I32DivS i32_div_s
            bin_trap I32DivU i32_div_u
            bin_trap I32RemS i32_rem_s
            bin_trap I32RemU i32_rem_u
            bin I32And i32_and
            bin I32Or i32_or
            bin I32Xor i32_xor
            bin I32Shl i32_shl
            bin I32ShrS i32_shr_s
            bin I32ShrU i32_shr_u
            bin I32Rotl i32_rotl
            bin I32Rotr i32_rotr
            un I64Clz i64_clz
            un I64Ctz i64_ctz
            un I64Popcnt i64_popcnt
            bin I64Add i64_add
            bin I64Sub i64_sub
            bin I64Mul i64_mul
            bin_trap I64DivS i64_div_s
            bin_trap I64DivU i64_div_u
            bin_trap I64RemS i64_rem_s
            bin_trap I64RemU i64_rem_u
            bin I64And i64_and
            bin I64Or i64_or
            bin I64Xor i64_xor
            bin I64Shl i64_shl
            bin I64ShrS i64_shr_s
            bin I64ShrU i64_shr_u
            bin I64Rotl i64_rotl
            bin I64Rotr i64_rotr
            un F32Abs f32_abs
            un F32Neg f32_neg
            un F32Ceil f32_ceil
            un F32Floor f32_floor
            un F32Trunc f32_trunc
            un F32Nearest f32_nearest
            un F32Sqrt f32_sqrt
            bin F32Add f32_add
            bin F32Sub f32_sub
            bin F32Mul f32_mul
            bin F32Div f32_div
            bin F32Min f32_min
            bin F32Max f32_max
            bin F32Copysign f32_copysign
            un F64Abs f64_abs
            un F64Neg f64_neg
            un F64Ceil f64_ceil
            un F64Floor f64_floor
            un F64Trunc f64_trunc
            un F64Nearest f64_nearest
            un F64Sqrt f64_sqrt
            bin F64Add f64_add
            bin F64Sub f64_sub
            bin F64Mul f64_mul
            bin F64Div f64_div
            bin F64Min f64_min
            bin F64Max f64_max
            bin F64Copysign f64_copysign
            un I32WrapI64 i32_wrap_i64
            un_trap I32TruncF32S i32_trunc_f32_s
            un_trap I32TruncF32U i32_trunc_f32_u
            un_trap I32TruncF64S i32_trunc_f64_s
            un_trap I32TruncF64U i32_trunc_f64_u
            un I64ExtendI32S i64_extend_i32_s
            un I64ExtendI32U i64_extend_i32_u
            un_trap I64TruncF32S i64_trunc_f32_s
            un_trap I64TruncF32U i64_trunc_f32_u
            un_trap I64TruncF64S i64_trunc_f64_s
            un_trap I64TruncF64U i64_trunc_f64_u
            un F32ConvertI32S f32_convert_i32_s
            un F32ConvertI32U f32_convert_i32_u
            un F32ConvertI64S f32_convert_i64_s
            un F32ConvertI64U f32_convert_i64_u
            un F32DemoteF64 f32_demote_f64
            un F64ConvertI32S f64_convert_i32_s
            un F64ConvertI32U f64_convert_i32_u
            un F64ConvertI64S f64_convert_i64_s
            un F64ConvertI64U f64_convert_i64_u
            un F64PromoteF32 f64_promote_f32
            un I32ReinterpretF32 i32_reinterpret_f32
            un I64ReinterpretF64 i64_reinterpret_f64
            un F32ReinterpretI32 f32_reinterpret_i32
            un F64ReinterpretI64 f64_reinterpret_i64
            un I32Extend8S i32_extend8_s
            un I32Extend16S i32_extend16_s
            un I64Extend8S i64_extend8_s
            un I64Extend16S i64_extend16_s
            un I64Extend32S i64_extend32_s
            un I32TruncSatF32S i32_trunc_sat_f32_s
            un I32TruncSatF32U i32_trunc_sat_f32_u
            un I32TruncSatF64S i32_trunc_sat_f64_s
            un I32TruncSatF64U i32_trunc_sat_f64_u
            un I64TruncSatF32S i64_trunc_sat_f32_s
            un I64TruncSatF32U i64_trunc_sat_f32_u
            un I64TruncSatF64S i64_trunc_sat_f64_s
            un I64TruncSatF64U i64_trunc_sat_f64_u
        }
    };
}

macro_rules! define_instr {
    ($( $shape:ident $name:ident $func:ident )*) => {
        /// One instruction. Structured instructions carry the extent of their body, which follows them.
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub enum Instr {
            /// `unreachable`
            Unreachable,
            /// `nop`
            Nop,
            /// `block bt`: its body is the next `len` instructions, ending with [`Instr::End`].
            Block {
                /// The block type.
                ty: BlockType,
                /// The length of the body.
                len: u32,
            },
            /// `loop bt`: its body is the next `len` instructions, ending with [`Instr::End`].
            Loop {
                /// The block type.
                ty: BlockType,
                /// The length of the body.
                len: u32,
            },
            /// `if bt`: the then-branch is the next `then_len` instructions (ending with [`Instr::Else`]
            /// when there is an else-branch, with [`Instr::End`] otherwise), the else-branch the
            /// `len - then_len` after them (ending with [`Instr::End`]).
            If {
                /// The block type.
                ty: BlockType,
                /// The length of the then-branch.
                then_len: u32,
                /// The length of both branches.
                len: u32,
            },
            /// The end of a then-branch followed by an else-branch: exits the `if`'s label past the
            /// else-branch.
            Else,
            /// The end of a `block`, `loop`, `if` body: exits its label.
            End,
            /// `try_table bt catch*`: installs a handler, then a label whose body is the next `len`
            /// instructions, ending with [`Instr::End`]; the handler's end, [`Instr::EndHandler`],
            /// follows the body (outside the label, where branches to the label continue). `catches`
            /// indexes the function's catch tables.
            TryTable {
                /// The block type.
                ty: BlockType,
                /// Index of the catch clauses in [`crate::syntax::Func::catch_tables`].
                catches: u32,
                /// The length of the body.
                len: u32,
            },
            /// The end of a `try_table`'s handler, reached after its label was exited (by falling off
            /// the body or by a branch to the label): removes the handler.
            EndHandler,
            /// `br l`
            Br(u32),
            /// `br_if l`
            BrIf(u32),
            /// `br_table l* l`: the index of the labels in [`crate::syntax::Func::br_tables`].
            BrTable(u32),
            /// `return`
            Return,
            /// `call x`
            Call(u32),
            /// `call_indirect x y`
            CallIndirect {
                /// The expected type index.
                ty: u32,
                /// The table index.
                table: u32,
            },
            /// `return_call x`
            ReturnCall(u32),
            /// `return_call_indirect x y`
            ReturnCallIndirect {
                /// The expected type index.
                ty: u32,
                /// The table index.
                table: u32,
            },
            /// `throw x`
            Throw(u32),
            /// `throw_ref`
            ThrowRef,
            /// `drop`
            Drop,
            /// `select` (with or without a type annotation)
            Select,
            /// `local.get x`
            LocalGet(u32),
            /// `local.set x`
            LocalSet(u32),
            /// `local.tee x`
            LocalTee(u32),
            /// `global.get x`
            GlobalGet(u32),
            /// `global.set x`
            GlobalSet(u32),
            /// `table.get x`
            TableGet(u32),
            /// `table.set x`
            TableSet(u32),
            /// `table.size x`
            TableSize(u32),
            /// `table.grow x`
            TableGrow(u32),
            /// `table.fill x`
            TableFill(u32),
            /// `table.copy x y`
            TableCopy {
                /// Destination table.
                dst: u32,
                /// Source table.
                src: u32,
            },
            /// `table.init x y`
            TableInit {
                /// Element segment.
                elem: u32,
                /// Table.
                table: u32,
            },
            /// `elem.drop x`
            ElemDrop(u32),
            /// `i32.load`
            I32Load(MemArg),
            /// `i64.load`
            I64Load(MemArg),
            /// `f32.load`
            F32Load(MemArg),
            /// `f64.load`
            F64Load(MemArg),
            /// `i32.load8_s`
            I32Load8S(MemArg),
            /// `i32.load8_u`
            I32Load8U(MemArg),
            /// `i32.load16_s`
            I32Load16S(MemArg),
            /// `i32.load16_u`
            I32Load16U(MemArg),
            /// `i64.load8_s`
            I64Load8S(MemArg),
            /// `i64.load8_u`
            I64Load8U(MemArg),
            /// `i64.load16_s`
            I64Load16S(MemArg),
            /// `i64.load16_u`
            I64Load16U(MemArg),
            /// `i64.load32_s`
            I64Load32S(MemArg),
            /// `i64.load32_u`
            I64Load32U(MemArg),
            /// `i32.store`
            I32Store(MemArg),
            /// `i64.store`
            I64Store(MemArg),
            /// `f32.store`
            F32Store(MemArg),
            /// `f64.store`
            F64Store(MemArg),
            /// `i32.store8`
            I32Store8(MemArg),
            /// `i32.store16`
            I32Store16(MemArg),
            /// `i64.store8`
            I64Store8(MemArg),
            /// `i64.store16`
            I64Store16(MemArg),
            /// `i64.store32`
            I64Store32(MemArg),
            /// `memory.size x`
            MemorySize(u32),
            /// `memory.grow x`
            MemoryGrow(u32),
            /// `memory.fill x`
            MemoryFill(u32),
            /// `memory.copy x y`
            MemoryCopy {
                /// Destination memory.
                dst: u32,
                /// Source memory.
                src: u32,
            },
            /// `memory.init x y`
            MemoryInit {
                /// Data segment.
                data: u32,
                /// Memory.
                mem: u32,
            },
            /// `data.drop x`
            DataDrop(u32),
            /// `ref.null t`
            RefNull(RefType),
            /// `ref.is_null`
            RefIsNull,
            /// `ref.func x`
            RefFunc(u32),
            /// `i32.const`
            I32Const(i32),
            /// `i64.const`
            I64Const(i64),
            /// `f32.const` (bits)
            F32Const(u32),
            /// `f64.const` (bits)
            F64Const(u64),
            $(
                #[doc = concat!("A numeric operator: its semantics is `exec::numerics::", stringify!($func), "`.")]
                $name,
            )*
        }
    };
}
for_each_numeric!(define_instr);

/// An instruction of a constant expression (spec 3.3.10): the only instructions allowed in
/// global initializers, segment offsets and element items.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ConstInstr {
    /// `i32.const`
    I32Const(i32),
    /// `i64.const`
    I64Const(i64),
    /// `f32.const` (bits)
    F32Const(u32),
    /// `f64.const` (bits)
    F64Const(u64),
    /// `ref.null t`
    RefNull(RefType),
    /// `ref.func x`
    RefFunc(u32),
    /// `global.get x`
    GlobalGet(u32),
    /// `i32.add` (extended-const)
    I32Add,
    /// `i32.sub` (extended-const)
    I32Sub,
    /// `i32.mul` (extended-const)
    I32Mul,
    /// `i64.add` (extended-const)
    I64Add,
    /// `i64.sub` (extended-const)
    I64Sub,
    /// `i64.mul` (extended-const)
    I64Mul,
}

/// A constant expression: evaluated at instantiation, it leaves exactly one value.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstExpr(pub Box<[ConstInstr]>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_stay_compact() {
        assert!(
            std::mem::size_of::<Instr>() <= 16,
            "{}",
            std::mem::size_of::<Instr>()
        );
    }
}
