//! `FnBuilder`: builds one function body of an idiom module — operands (parameters, locals,
//! globals, loads, call results, boundary constants), re-usable operand variables, NaN
//! canonicalization, conversions and folds between types, addresses, and conditions — on
//! which the template rows of [`super::templates`] are written.
//!
//! Invariants: every method that produces a value leaves exactly one value of the requested
//! type on the operand stack and returns whether it may be a NaN with a nondeterministic
//! payload or sign ([`Nd`]); a local's [`Nd`] flag is fixed when the local is created, and a
//! value that may be such a NaN is only ever written into a local created with the flag set.

use super::config::IdiomConfig;
use super::templates::TEMPLATES;
use super::{Layout, Role, Ty, Types};
use crate::generate::choices::Choices;
use oracles::Val;
use std::borrow::Cow;
use wasm_encoder::{
    BlockType, Function, Ieee32, Ieee64, Instruction as I, MemArg, MemArgTarget, RefType,
};

/// Whether a value may be a NaN whose payload or sign differs between engines (the result of
/// float arithmetic). Always false for integers.
pub type Nd = bool;

/// The canonical NaN of `f32`.
pub const F32_CANONICAL_NAN: u32 = 0x7fc0_0000;
/// The canonical NaN of `f64`.
pub const F64_CANONICAL_NAN: u64 = 0x7ff8_0000_0000_0000;

/// An operand that can be emitted again and again with the same value: what the mid-end's
/// rewrites with a repeated operand (`(x + y) - (x | y)`, `select (x < y) x y`) need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Var {
    /// A parameter or local.
    Local(u32),
    /// A global.
    Global(u32),
    /// A constant: its type and bits.
    Const(Ty, u64),
}

/// A declared local.
#[derive(Clone, Copy, Debug)]
struct Local {
    /// Its numeric type, or `None` for an `exnref`.
    ty: Option<Ty>,
    /// Whether it may hold a nondeterministic NaN.
    nd: Nd,
}

/// Integer binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IBin {
    /// `add`
    Add,
    /// `sub`
    Sub,
    /// `mul`
    Mul,
    /// `and`
    And,
    /// `or`
    Or,
    /// `xor`
    Xor,
    /// `shl`
    Shl,
    /// `shr_s`
    ShrS,
    /// `shr_u`
    ShrU,
    /// `rotl`
    Rotl,
    /// `rotr`
    Rotr,
    /// `div_s`
    DivS,
    /// `div_u`
    DivU,
    /// `rem_s`
    RemS,
    /// `rem_u`
    RemU,
}

impl IBin {
    /// The operators that never trap.
    pub const ALU: [IBin; 11] = [
        IBin::Add,
        IBin::Sub,
        IBin::Mul,
        IBin::And,
        IBin::Or,
        IBin::Xor,
        IBin::Shl,
        IBin::ShrS,
        IBin::ShrU,
        IBin::Rotl,
        IBin::Rotr,
    ];
    /// The division and remainder operators.
    pub const DIV: [IBin; 4] = [IBin::DivS, IBin::DivU, IBin::RemS, IBin::RemU];

    /// Whether the right operand is a shift or rotate amount.
    pub fn is_shift(self) -> bool {
        matches!(
            self,
            IBin::Shl | IBin::ShrS | IBin::ShrU | IBin::Rotl | IBin::Rotr
        )
    }

    /// The instruction for integer type `ty`.
    pub fn ins(self, ty: Ty) -> I<'static> {
        let wide = ty.bits() == 64;
        match (self, wide) {
            (IBin::Add, false) => I::I32Add,
            (IBin::Sub, false) => I::I32Sub,
            (IBin::Mul, false) => I::I32Mul,
            (IBin::And, false) => I::I32And,
            (IBin::Or, false) => I::I32Or,
            (IBin::Xor, false) => I::I32Xor,
            (IBin::Shl, false) => I::I32Shl,
            (IBin::ShrS, false) => I::I32ShrS,
            (IBin::ShrU, false) => I::I32ShrU,
            (IBin::Rotl, false) => I::I32Rotl,
            (IBin::Rotr, false) => I::I32Rotr,
            (IBin::DivS, false) => I::I32DivS,
            (IBin::DivU, false) => I::I32DivU,
            (IBin::RemS, false) => I::I32RemS,
            (IBin::RemU, false) => I::I32RemU,
            (IBin::Add, true) => I::I64Add,
            (IBin::Sub, true) => I::I64Sub,
            (IBin::Mul, true) => I::I64Mul,
            (IBin::And, true) => I::I64And,
            (IBin::Or, true) => I::I64Or,
            (IBin::Xor, true) => I::I64Xor,
            (IBin::Shl, true) => I::I64Shl,
            (IBin::ShrS, true) => I::I64ShrS,
            (IBin::ShrU, true) => I::I64ShrU,
            (IBin::Rotl, true) => I::I64Rotl,
            (IBin::Rotr, true) => I::I64Rotr,
            (IBin::DivS, true) => I::I64DivS,
            (IBin::DivU, true) => I::I64DivU,
            (IBin::RemS, true) => I::I64RemS,
            (IBin::RemU, true) => I::I64RemU,
        }
    }
}

/// Integer comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ICmp {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `lt_s`
    LtS,
    /// `lt_u`
    LtU,
    /// `gt_s`
    GtS,
    /// `gt_u`
    GtU,
    /// `le_s`
    LeS,
    /// `le_u`
    LeU,
    /// `ge_s`
    GeS,
    /// `ge_u`
    GeU,
}

impl ICmp {
    /// Every comparison.
    pub const ALL: [ICmp; 10] = [
        ICmp::Eq,
        ICmp::Ne,
        ICmp::LtS,
        ICmp::LtU,
        ICmp::GtS,
        ICmp::GtU,
        ICmp::LeS,
        ICmp::LeU,
        ICmp::GeS,
        ICmp::GeU,
    ];

    /// The instruction for integer type `ty`.
    pub fn ins(self, ty: Ty) -> I<'static> {
        let wide = ty.bits() == 64;
        match (self, wide) {
            (ICmp::Eq, false) => I::I32Eq,
            (ICmp::Ne, false) => I::I32Ne,
            (ICmp::LtS, false) => I::I32LtS,
            (ICmp::LtU, false) => I::I32LtU,
            (ICmp::GtS, false) => I::I32GtS,
            (ICmp::GtU, false) => I::I32GtU,
            (ICmp::LeS, false) => I::I32LeS,
            (ICmp::LeU, false) => I::I32LeU,
            (ICmp::GeS, false) => I::I32GeS,
            (ICmp::GeU, false) => I::I32GeU,
            (ICmp::Eq, true) => I::I64Eq,
            (ICmp::Ne, true) => I::I64Ne,
            (ICmp::LtS, true) => I::I64LtS,
            (ICmp::LtU, true) => I::I64LtU,
            (ICmp::GtS, true) => I::I64GtS,
            (ICmp::GtU, true) => I::I64GtU,
            (ICmp::LeS, true) => I::I64LeS,
            (ICmp::LeU, true) => I::I64LeU,
            (ICmp::GeS, true) => I::I64GeS,
            (ICmp::GeU, true) => I::I64GeU,
        }
    }
}

/// Float comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FCmp {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `lt`
    Lt,
    /// `gt`
    Gt,
    /// `le`
    Le,
    /// `ge`
    Ge,
}

impl FCmp {
    /// Every comparison.
    pub const ALL: [FCmp; 6] = [FCmp::Eq, FCmp::Ne, FCmp::Lt, FCmp::Gt, FCmp::Le, FCmp::Ge];

    /// The instruction for float type `ty`.
    pub fn ins(self, ty: Ty) -> I<'static> {
        let wide = ty.bits() == 64;
        match (self, wide) {
            (FCmp::Eq, false) => I::F32Eq,
            (FCmp::Ne, false) => I::F32Ne,
            (FCmp::Lt, false) => I::F32Lt,
            (FCmp::Gt, false) => I::F32Gt,
            (FCmp::Le, false) => I::F32Le,
            (FCmp::Ge, false) => I::F32Ge,
            (FCmp::Eq, true) => I::F64Eq,
            (FCmp::Ne, true) => I::F64Ne,
            (FCmp::Lt, true) => I::F64Lt,
            (FCmp::Gt, true) => I::F64Gt,
            (FCmp::Le, true) => I::F64Le,
            (FCmp::Ge, true) => I::F64Ge,
        }
    }
}

/// Float binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FBin {
    /// `add`
    Add,
    /// `sub`
    Sub,
    /// `mul`
    Mul,
    /// `div`
    Div,
    /// `min`
    Min,
    /// `max`
    Max,
}

impl FBin {
    /// Every operator.
    pub const ALL: [FBin; 6] = [
        FBin::Add,
        FBin::Sub,
        FBin::Mul,
        FBin::Div,
        FBin::Min,
        FBin::Max,
    ];

    /// The instruction for float type `ty`.
    pub fn ins(self, ty: Ty) -> I<'static> {
        let wide = ty.bits() == 64;
        match (self, wide) {
            (FBin::Add, false) => I::F32Add,
            (FBin::Sub, false) => I::F32Sub,
            (FBin::Mul, false) => I::F32Mul,
            (FBin::Div, false) => I::F32Div,
            (FBin::Min, false) => I::F32Min,
            (FBin::Max, false) => I::F32Max,
            (FBin::Add, true) => I::F64Add,
            (FBin::Sub, true) => I::F64Sub,
            (FBin::Mul, true) => I::F64Mul,
            (FBin::Div, true) => I::F64Div,
            (FBin::Min, true) => I::F64Min,
            (FBin::Max, true) => I::F64Max,
        }
    }
}

/// Float unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FUn {
    /// `abs` (bit-preserving)
    Abs,
    /// `neg` (bit-preserving)
    Neg,
    /// `sqrt`
    Sqrt,
    /// `ceil`
    Ceil,
    /// `floor`
    Floor,
    /// `trunc`
    Trunc,
    /// `nearest`
    Nearest,
}

impl FUn {
    /// The rounding operators.
    pub const ROUND: [FUn; 4] = [FUn::Ceil, FUn::Floor, FUn::Trunc, FUn::Nearest];

    /// The instruction for float type `ty`.
    pub fn ins(self, ty: Ty) -> I<'static> {
        let wide = ty.bits() == 64;
        match (self, wide) {
            (FUn::Abs, false) => I::F32Abs,
            (FUn::Neg, false) => I::F32Neg,
            (FUn::Sqrt, false) => I::F32Sqrt,
            (FUn::Ceil, false) => I::F32Ceil,
            (FUn::Floor, false) => I::F32Floor,
            (FUn::Trunc, false) => I::F32Trunc,
            (FUn::Nearest, false) => I::F32Nearest,
            (FUn::Abs, true) => I::F64Abs,
            (FUn::Neg, true) => I::F64Neg,
            (FUn::Sqrt, true) => I::F64Sqrt,
            (FUn::Ceil, true) => I::F64Ceil,
            (FUn::Floor, true) => I::F64Floor,
            (FUn::Trunc, true) => I::F64Trunc,
            (FUn::Nearest, true) => I::F64Nearest,
        }
    }

    /// Whether the result may be a nondeterministic NaN although no operand is one (every
    /// operator but the bit-preserving `abs` and `neg`).
    pub fn arithmetic(self) -> bool {
        !matches!(self, FUn::Abs | FUn::Neg)
    }
}

/// The immediate of a plain (non-atomic) access to memory `mem`.
pub fn memarg(offset: u64, align: u32, mem: u32) -> MemArg {
    MemArg {
        offset,
        align,
        target: MemArgTarget::Memory(mem),
        ordering: None,
    }
}

/// How an address is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// Always within the memory's initial size: masked operands, offsets up to the bound.
    InBounds,
    /// At and around the bound: raw arguments, offsets near the bound, 0xffff/0x10000, and
    /// on 64-bit memories offsets above 4 GiB. Usually traps.
    Edge,
}

/// Builds the body of one function of a [`Layout`].
pub struct FnBuilder<'a> {
    /// The module's index spaces.
    pub layout: &'a Layout,
    types: &'a mut Types,
    /// The knobs.
    pub cfg: &'a IdiomConfig,
    /// The function's own index.
    pub func: u32,
    params: Vec<Ty>,
    locals: Vec<Local>,
    body: Vec<I<'static>>,
    /// How deeply templates are nested at the current point.
    pub depth: u32,
    budget: usize,
    used: Vec<bool>,
    consts: Vec<Val>,
    scratch: [Option<u32>; 4],
    /// Locals no template may write (loop counters).
    reserved: Vec<u32>,
}

impl<'a> FnBuilder<'a> {
    /// A builder for function `func` of `layout`.
    pub fn new(
        layout: &'a Layout,
        types: &'a mut Types,
        cfg: &'a IdiomConfig,
        func: u32,
    ) -> FnBuilder<'a> {
        let decl = &layout.funcs[func as usize];
        let budget = match decl.role {
            Role::Entry => cfg.budget,
            _ => cfg.budget / 2,
        };
        FnBuilder {
            layout,
            types,
            cfg,
            func,
            params: decl.params.clone(),
            locals: Vec::new(),
            body: Vec::new(),
            depth: 0,
            budget: budget as usize,
            used: vec![false; TEMPLATES.len()],
            consts: Vec::new(),
            scratch: [None; 4],
            reserved: Vec::new(),
        }
    }

    /// The finished function (the caller has emitted the final `end`).
    pub fn finish(self) -> Function {
        let mut f = Function::new_with_locals_types(self.locals.iter().map(|l| match l.ty {
            Some(t) => t.encoder(),
            None => wasm_encoder::ValType::Ref(RefType::EXNREF),
        }));
        for i in &self.body {
            f.instruction(i);
        }
        f
    }

    /// The templates used so far.
    pub fn used(&self) -> impl Iterator<Item = usize> + '_ {
        self.used
            .iter()
            .enumerate()
            .filter(|(_, u)| **u)
            .map(|(i, _)| i)
    }

    /// The constants emitted so far (hints for the plan).
    pub fn consts(&self) -> &[Val] {
        &self.consts
    }

    /// The function's role.
    pub fn role(&self) -> Role {
        self.layout.funcs[self.func as usize].role
    }

    /// The function's result types.
    pub fn results(&self) -> Vec<Ty> {
        self.layout.funcs[self.func as usize].results.clone()
    }

    /// Emits one instruction.
    pub fn emit(&mut self, i: I<'static>) {
        self.body.push(i);
    }

    /// Whether the body has used up its instruction budget.
    pub fn spent(&self) -> bool {
        self.body.len() >= self.budget
    }

    /// The block type `params -> results`.
    pub fn block_type(&mut self, params: &[Ty], results: &[Ty]) -> BlockType {
        self.types.block(params, results)
    }

    /// A new local of type `ty`; `nd` says whether it may ever hold a nondeterministic NaN.
    pub fn new_local(&mut self, ty: Ty, nd: Nd) -> u32 {
        self.locals.push(Local {
            ty: Some(ty),
            nd: nd && ty.is_float(),
        });
        (self.params.len() + self.locals.len() - 1) as u32
    }

    /// A new `exnref` local.
    pub fn exn_local(&mut self) -> u32 {
        self.locals.push(Local {
            ty: None,
            nd: false,
        });
        (self.params.len() + self.locals.len() - 1) as u32
    }

    fn local(&self, index: u32) -> Local {
        match self.params.get(index as usize) {
            Some(&ty) => Local {
                ty: Some(ty),
                nd: false,
            },
            None => self.locals[index as usize - self.params.len()],
        }
    }

    /// Parameters and locals of type `ty`.
    pub fn locals_of(&self, ty: Ty) -> Vec<u32> {
        (0..(self.params.len() + self.locals.len()) as u32)
            .filter(|&i| self.local(i).ty == Some(ty))
            .collect()
    }

    /// Parameters and locals of type `ty` that templates may write (all but loop counters).
    pub fn writable_locals(&self, ty: Ty) -> Vec<u32> {
        let mut locals = self.locals_of(ty);
        locals.retain(|l| !self.reserved.contains(l));
        locals
    }

    /// Keeps templates from writing local `index` (a loop counter).
    pub fn reserve(&mut self, index: u32) {
        self.reserved.push(index);
    }

    /// The block type of a `catch_ref`/`catch_all_ref` label: `payload` then an `exnref`.
    pub fn exn_block_type(&mut self, payload: &[Ty]) -> BlockType {
        let mut results: Vec<wasm_encoder::ValType> = payload.iter().map(|t| t.encoder()).collect();
        results.push(wasm_encoder::ValType::Ref(RefType::EXNREF));
        BlockType::FunctionType(self.types.intern_raw(vec![], results))
    }

    /// Whether variable `v` may hold a nondeterministic NaN.
    pub fn var_nd(&self, v: Var) -> Nd {
        match v {
            Var::Local(l) => self.local_nd(l),
            _ => false,
        }
    }

    /// Whether local `index` may hold a nondeterministic NaN.
    pub fn local_nd(&self, index: u32) -> Nd {
        self.local(index).nd
    }

    /// The globals of type `ty`, mutable ones only with `mutable`.
    pub fn globals_of(&self, ty: Ty, mutable: bool) -> Vec<u32> {
        (0..self.layout.globals.len() as u32)
            .filter(|&g| {
                let global = self.layout.globals[g as usize];
                global.ty == ty && (global.mutable || !mutable)
            })
            .collect()
    }

    /// The callees this function may call (throwers included).
    pub fn callees(&self) -> Vec<u32> {
        self.layout.callable_from(self.func).collect()
    }

    /// The callees this function may call that throw.
    pub fn throwers(&self) -> Vec<u32> {
        self.layout
            .callable_from(self.func)
            .filter(|&g| matches!(self.layout.funcs[g as usize].role, Role::Thrower { .. }))
            .collect()
    }

    /// The callees this function may call that do not throw directly.
    pub fn plain_callees(&self) -> Vec<u32> {
        self.layout
            .callable_from(self.func)
            .filter(|&g| matches!(self.layout.funcs[g as usize].role, Role::Callee { .. }))
            .collect()
    }

    // ---- constants -------------------------------------------------------------------------

    /// Emits a constant of `ty` with `bits`, remembering it for the plan's hints.
    pub fn const_bits(&mut self, ty: Ty, bits: u64) {
        self.consts.push(ty.val(bits));
        self.emit(match ty {
            Ty::I32 => I::I32Const(bits as u32 as i32),
            Ty::I64 => I::I64Const(bits as i64),
            Ty::F32 => I::F32Const(Ieee32::new(bits as u32)),
            Ty::F64 => I::F64Const(Ieee64::new(bits)),
        });
    }

    /// Emits an integer constant of `ty` with value `v` (truncated to its width).
    pub fn int_const(&mut self, ty: Ty, v: u64) {
        self.const_bits(ty, v);
    }

    /// Emits a boundary constant of `ty` (see [`consts`]).
    pub fn konst(&mut self, c: &mut Choices, ty: Ty) -> Nd {
        let bits = super::konst_bits(c, ty);
        self.const_bits(ty, bits);
        false
    }

    // ---- operands --------------------------------------------------------------------------

    /// An operand of type `ty`: a template (nested, more rarely the deeper it is) or a leaf.
    pub fn expr(&mut self, c: &mut Choices, ty: Ty) -> Nd {
        let nest = match self.depth {
            0 => 5,
            1 => 3,
            2 => 2,
            _ => 1,
        };
        if self.depth < self.cfg.max_depth && !self.spent() && c.chance(nest, 6) {
            self.template(c, ty)
        } else {
            self.leaf(c, ty)
        }
    }

    /// A template producing `ty`: the forced one for a statement when the configuration says
    /// so, otherwise a row chosen by weight among those that apply.
    pub fn template(&mut self, c: &mut Choices, ty: Ty) -> Nd {
        self.template_among(c, ty, |_| true)
    }

    /// A template producing `ty` among the rows `keep` accepts (the forced one first), or a
    /// leaf when none applies.
    pub fn template_among(
        &mut self,
        c: &mut Choices,
        ty: Ty,
        keep: impl Fn(&super::templates::Template) -> bool,
    ) -> Nd {
        let forced = self
            .cfg
            .only
            .filter(|&i| self.depth == 0 && (TEMPLATES[i].applies)(self, ty));
        let index = match forced {
            Some(i) => i,
            None => {
                let weights: Vec<u32> = TEMPLATES
                    .iter()
                    .map(|t| {
                        if keep(t) && (t.applies)(self, ty) {
                            t.weight
                        } else {
                            0
                        }
                    })
                    .collect();
                if weights.iter().all(|&w| w == 0) {
                    return self.leaf(c, ty);
                }
                c.weighted(&weights)
            }
        };
        self.used[index] = true;
        self.depth += 1;
        let nd = (TEMPLATES[index].build)(self, c, ty);
        self.depth -= 1;
        nd
    }

    /// A leaf operand of type `ty`: a boundary constant, a parameter or local, a global, a
    /// load, or a call's result.
    pub fn leaf(&mut self, c: &mut Choices, ty: Ty) -> Nd {
        let locals = self.locals_of(ty);
        let globals = self.globals_of(ty, false);
        let can_call = self.depth < self.cfg.max_depth && !self.spent();
        let callees = if can_call { self.callees() } else { Vec::new() };
        let weights = [
            5,
            if locals.is_empty() { 0 } else { 5 },
            if globals.is_empty() { 0 } else { 1 },
            if self.layout.mems.is_empty() { 0 } else { 2 },
            if callees.is_empty() { 0 } else { 1 },
        ];
        match c.weighted(&weights) {
            0 => self.konst(c, ty),
            1 => {
                let l = *c.pick(&locals);
                self.emit(I::LocalGet(l));
                self.local_nd(l)
            }
            2 => {
                let g = *c.pick(&globals);
                self.emit(I::GlobalGet(g));
                false
            }
            3 => self.load(c, ty, Reach::InBounds),
            _ => {
                let f = *c.pick(&callees);
                let results = self.call(c, f);
                self.fold(c, &results, ty)
            }
        }
    }

    /// A re-usable operand of type `ty`: a constant, a parameter or local, a global, or an
    /// operand evaluated once into a fresh local.
    pub fn var(&mut self, c: &mut Choices, ty: Ty) -> Var {
        let locals = self.locals_of(ty);
        let globals = self.globals_of(ty, false);
        let weights = [
            4,
            if locals.is_empty() { 0 } else { 4 },
            if globals.is_empty() { 0 } else { 1 },
            3,
        ];
        match c.weighted(&weights) {
            0 => {
                let bits = super::konst_bits(c, ty);
                self.consts.push(ty.val(bits));
                Var::Const(ty, bits)
            }
            1 => Var::Local(*c.pick(&locals)),
            2 => Var::Global(*c.pick(&globals)),
            _ => {
                let nd = self.expr(c, ty);
                let l = self.new_local(ty, nd);
                self.emit(I::LocalSet(l));
                Var::Local(l)
            }
        }
    }

    /// Emits `v`; returns its [`Nd`].
    pub fn get(&mut self, v: Var) -> Nd {
        match v {
            Var::Local(l) => {
                self.emit(I::LocalGet(l));
                self.local_nd(l)
            }
            Var::Global(g) => {
                self.emit(I::GlobalGet(g));
                false
            }
            Var::Const(ty, bits) => {
                self.const_bits(ty, bits);
                false
            }
        }
    }

    /// Calls `f` with operands for its parameters; returns its results (never
    /// nondeterministic NaNs: every function canonicalizes its results).
    pub fn call(&mut self, c: &mut Choices, f: u32) -> Vec<(Ty, Nd)> {
        let decl = &self.layout.funcs[f as usize];
        let (params, results) = (decl.params.clone(), decl.results.clone());
        self.depth += 1;
        for p in params {
            let nd = self.expr(c, p);
            self.canon(p, nd);
        }
        self.depth -= 1;
        self.emit(I::Call(f));
        results.into_iter().map(|t| (t, false)).collect()
    }

    /// Pushes operands for `f`'s parameters and calls it through the table (the caller checked
    /// that it is in the table): at its own slot, or at a computed slot that may hold another
    /// function (a signature mismatch traps) or nothing.
    pub fn call_indirect(&mut self, c: &mut Choices, f: u32) -> Vec<(Ty, Nd)> {
        let decl = &self.layout.funcs[f as usize];
        let (params, results, type_index) =
            (decl.params.clone(), decl.results.clone(), decl.type_index);
        self.depth += 1;
        for p in params {
            let nd = self.expr(c, p);
            self.canon(p, nd);
        }
        self.depth -= 1;
        self.table_index(c, f);
        self.emit(I::CallIndirect {
            type_index,
            table_index: 0,
        });
        results.into_iter().map(|t| (t, false)).collect()
    }

    /// Emits a table index for `f`: its slot most of the time, else a computed one that may
    /// hold another function (a signature mismatch traps), nothing, or lie past the table —
    /// but never a function at or below this one (calls only go up: no recursion).
    pub fn table_index(&mut self, c: &mut Choices, f: u32) {
        let Some((table64, size, elems)) = self.layout.table.clone() else {
            return;
        };
        let ty = if table64 { Ty::I64 } else { Ty::I32 };
        let slot = self.layout.slot_of(f).unwrap_or(0);
        if c.chance(7, 8) {
            self.int_const(ty, slot);
        } else {
            // Slots from `base` on hold only functions above this one (the table lists
            // callees in index order), then nulls.
            let base = elems
                .iter()
                .position(|&e| e > self.func)
                .unwrap_or(elems.len()) as u64;
            self.expr(c, ty);
            self.int_const(ty, (size - base).next_power_of_two() - 1);
            self.emit(IBin::And.ins(ty));
            self.int_const(ty, base);
            self.emit(IBin::Add.ins(ty));
        }
    }

    // ---- NaNs and conversions --------------------------------------------------------------

    /// Canonicalizes the NaN on top of the stack when the value may be a nondeterministic
    /// one: `select(x, NaN, x == x)`. Returns false.
    pub fn canon(&mut self, ty: Ty, nd: Nd) -> Nd {
        if !(ty.is_float() && nd) {
            return false;
        }
        let k = match ty {
            Ty::F32 => 0,
            _ => 1,
        };
        let s = match self.scratch[k] {
            Some(s) => s,
            None => {
                let s = self.new_local(ty, true);
                self.scratch[k] = Some(s);
                s
            }
        };
        self.emit(I::LocalTee(s));
        match ty {
            Ty::F32 => self.emit(I::F32Const(Ieee32::new(F32_CANONICAL_NAN))),
            _ => self.emit(I::F64Const(Ieee64::new(F64_CANONICAL_NAN))),
        }
        self.emit(I::LocalGet(s));
        self.emit(I::LocalGet(s));
        self.emit(FCmp::Eq.ins(ty));
        self.emit(I::Select);
        false
    }

    /// Converts the value on top of the stack from `from` to the integer type `to`,
    /// preserving as many of its bits as the chosen conversion can: extends, wraps (after
    /// folding the high half in), reinterpretations (after canonicalizing), saturating
    /// truncations.
    pub fn to_int(&mut self, c: &mut Choices, from: Ty, nd: Nd, to: Ty) {
        match (from, to) {
            (Ty::I32, Ty::I32) | (Ty::I64, Ty::I64) => {}
            (Ty::I32, _) => self.emit(if c.chance(1, 2) {
                I::I64ExtendI32U
            } else {
                I::I64ExtendI32S
            }),
            (Ty::I64, _) => {
                if c.chance(2, 3) {
                    // x ^ (x >> 32): the high half survives the wrap.
                    let t = self.new_local(Ty::I64, false);
                    self.emit(I::LocalTee(t));
                    self.emit(I::LocalGet(t));
                    self.int_const(Ty::I64, 32);
                    self.emit(I::I64ShrU);
                    self.emit(I::I64Xor);
                }
                self.emit(I::I32WrapI64);
            }
            (Ty::F32, _) => {
                if c.chance(1, 4) {
                    self.emit(match (to, c.chance(1, 2)) {
                        (Ty::I32, true) => I::I32TruncSatF32S,
                        (Ty::I32, false) => I::I32TruncSatF32U,
                        (_, true) => I::I64TruncSatF32S,
                        (_, false) => I::I64TruncSatF32U,
                    });
                } else {
                    self.canon(from, nd);
                    self.emit(I::I32ReinterpretF32);
                    if to == Ty::I64 {
                        self.emit(I::I64ExtendI32U);
                    }
                }
            }
            (Ty::F64, _) => {
                if c.chance(1, 4) {
                    self.emit(match (to, c.chance(1, 2)) {
                        (Ty::I32, true) => I::I32TruncSatF64S,
                        (Ty::I32, false) => I::I32TruncSatF64U,
                        (_, true) => I::I64TruncSatF64S,
                        (_, false) => I::I64TruncSatF64U,
                    });
                } else {
                    self.canon(from, nd);
                    self.emit(I::I64ReinterpretF64);
                    if to == Ty::I32 {
                        self.to_int(c, Ty::I64, false, Ty::I32);
                    }
                }
            }
        }
    }

    /// Converts the integer on top of the stack (of type `from`) to `to`: extends and wraps,
    /// reinterpretations, conversions. The result is never a nondeterministic NaN.
    pub fn from_int(&mut self, c: &mut Choices, from: Ty, to: Ty) -> Nd {
        match to {
            Ty::I32 | Ty::I64 => self.to_int(c, from, false, to),
            Ty::F32 => {
                if c.chance(2, 3) {
                    self.to_int(c, from, false, Ty::I32);
                    self.emit(I::F32ReinterpretI32);
                } else {
                    self.emit(match (from, c.chance(1, 2)) {
                        (Ty::I32, true) => I::F32ConvertI32S,
                        (Ty::I32, false) => I::F32ConvertI32U,
                        (_, true) => I::F32ConvertI64S,
                        (_, false) => I::F32ConvertI64U,
                    });
                }
            }
            Ty::F64 => {
                if c.chance(2, 3) {
                    self.to_int(c, from, false, Ty::I64);
                    self.emit(I::F64ReinterpretI64);
                } else {
                    self.emit(match (from, c.chance(1, 2)) {
                        (Ty::I32, true) => I::F64ConvertI32S,
                        (Ty::I32, false) => I::F64ConvertI32U,
                        (_, true) => I::F64ConvertI64S,
                        (_, false) => I::F64ConvertI64U,
                    });
                }
            }
        }
        false
    }

    /// Converts the value on top of the stack from `from` to `to`.
    pub fn convert(&mut self, c: &mut Choices, from: Ty, nd: Nd, to: Ty) -> Nd {
        if from == to {
            return nd;
        }
        match (from.is_float(), to.is_float()) {
            (false, _) => self.from_int(c, from, to),
            (true, false) => {
                self.to_int(c, from, nd, to);
                false
            }
            (true, true) => {
                if c.chance(1, 2) {
                    self.emit(if to == Ty::F64 {
                        I::F64PromoteF32
                    } else {
                        I::F32DemoteF64
                    });
                    true
                } else {
                    self.to_int(c, from, nd, from.int());
                    self.from_int(c, from.int(), to)
                }
            }
        }
    }

    /// Folds the values on top of the stack (of `values`' types, the last on top) into one of
    /// type `to`: each converted to an integer and mixed in by `acc = v ^ rotl(acc, r)`, so
    /// that any bit of any value shows in the result.
    pub fn fold(&mut self, c: &mut Choices, values: &[(Ty, Nd)], to: Ty) -> Nd {
        match values {
            [] => self.konst(c, to),
            [(ty, nd)] => self.convert(c, *ty, *nd, to),
            _ => {
                let it = to.int();
                let acc = self.new_local(it, false);
                for (k, &(ty, nd)) in values.iter().rev().enumerate() {
                    self.to_int(c, ty, nd, it);
                    if k > 0 {
                        self.emit(I::LocalGet(acc));
                        let r = 1 + 2 * c.below(u64::from(it.bits()) / 2 - 1);
                        self.int_const(it, r);
                        self.emit(IBin::Rotl.ins(it));
                        self.emit(IBin::Xor.ins(it));
                    }
                    self.emit(I::LocalSet(acc));
                }
                self.emit(I::LocalGet(acc));
                self.from_int(c, it, to)
            }
        }
    }

    // ---- memory ----------------------------------------------------------------------------

    /// Emits an address for an access of `size` bytes to memory `mem` and returns the memarg
    /// (offset, alignment) to use with it.
    pub fn address(&mut self, c: &mut Choices, mem: u32, size: u64, reach: Reach) -> MemArg {
        let m = self.layout.mems[mem as usize];
        let at = m.addr();
        let bytes = m.min_bytes();
        let natural = size.trailing_zeros();
        let align = if c.chance(1, 4) {
            c.below(u64::from(natural) + 1) as u32
        } else {
            natural
        };
        let offset = if reach == Reach::Edge || bytes < 2 * size {
            // Near the bound: what bounds checks, guard pages and static folding decide.
            self.edge_address(c, m.mem64, bytes, size)
        } else {
            // In bounds: an address below `window`, an offset below `bytes - window - size`.
            let window = 1u64 << (63 - (bytes / 2).leading_zeros());
            let room = bytes - window - size + 1;
            match c.weighted(&[3, 4, 2]) {
                0 => {
                    let random = c.below(window) & !(size - 1);
                    let a = *c.pick(&[0, window - size, size, random]);
                    self.int_const(at, a);
                }
                1 => {
                    self.expr(c, at);
                    self.int_const(at, window - 1);
                    self.emit(IBin::And.ins(at));
                }
                _ => {
                    // base + (index << k): an x64 scaled-index address (`lea`).
                    let k = c.below(4);
                    self.expr(c, at);
                    self.int_const(at, window / 2 - 1);
                    self.emit(IBin::And.ins(at));
                    self.expr(c, at);
                    self.int_const(at, ((window / 2) >> k).max(1) - 1);
                    self.emit(IBin::And.ins(at));
                    self.int_const(at, k);
                    self.emit(IBin::Shl.ins(at));
                    self.emit(IBin::Add.ins(at));
                }
            }
            let mut offsets = vec![0, size, room - 1, room.saturating_sub(2), c.below(room)];
            if room > 0x1_0000 {
                offsets.extend([0xffff, 0x1_0000]);
            }
            *c.pick(&offsets)
        };
        memarg(offset, align, mem)
    }

    /// Emits an address at or around the bound of a memory of `bytes` bytes and returns the
    /// offset to use with it: an effective address (the last in-bounds access, one byte or one
    /// access past it, 4 GiB and beyond on 64-bit memories) split between a constant address
    /// and the static offset; a raw integer argument (the plan's hints put it near the bound)
    /// with an offset near the bound; or a small masked operand with an offset up to the
    /// bound.
    fn edge_address(&mut self, c: &mut Choices, mem64: bool, bytes: u64, size: u64) -> u64 {
        let at = if mem64 { Ty::I64 } else { Ty::I32 };
        let last = bytes.wrapping_sub(size);
        let offset = match c.weighted(&[2, 1, 1]) {
            0 => {
                let mut targets = vec![last, last, last + 1, bytes, bytes + size];
                if mem64 {
                    targets.extend([1 << 32, (1 << 32) + last, u64::MAX - size + 1]);
                } else {
                    targets.extend([u64::from(u32::MAX), (1 << 32) - size]);
                }
                let target = *c.pick(&targets);
                let offset = (*c.pick(&[0, 0xffff, 0x1_0000, target / 2, target])).min(target);
                self.int_const(at, target - offset);
                offset
            }
            1 => {
                let params: Vec<u32> = (0..self.params.len() as u32)
                    .filter(|&p| !self.params[p as usize].is_float())
                    .collect();
                if params.is_empty() {
                    self.expr(c, at);
                } else {
                    let p = *c.pick(&params);
                    self.emit(I::LocalGet(p));
                    let from = self.params[p as usize];
                    self.to_int(c, from, false, at);
                }
                let mut offsets = vec![0, 0, last, last + 1, 0xffff, 0x1_0000];
                if mem64 {
                    offsets.extend([1 << 32, (1 << 32) - 1]);
                }
                *c.pick(&offsets)
            }
            _ => {
                self.expr(c, at);
                self.int_const(at, 15);
                self.emit(IBin::And.ins(at));
                last.wrapping_sub(*c.pick(&[15, 8, 0]))
            }
        };
        if mem64 {
            offset
        } else {
            offset & u64::from(u32::MAX)
        }
    }

    /// A memory to access (the caller checked there is one): for in-bounds accesses one with
    /// pages when there is one (an empty memory is reached by the bounds accesses).
    pub fn pick_mem(&mut self, c: &mut Choices, reach: Reach) -> u32 {
        let all: Vec<u32> = (0..self.layout.mems.len() as u32).collect();
        let sized: Vec<u32> = all
            .iter()
            .copied()
            .filter(|&m| self.layout.mems[m as usize].min > 0)
            .collect();
        let from = if reach == Reach::InBounds && !sized.is_empty() {
            sized
        } else {
            all
        };
        *c.pick(&from)
    }

    /// A load producing `ty`: of every width and extension, from memory.
    pub fn load(&mut self, c: &mut Choices, ty: Ty, reach: Reach) -> Nd {
        let mem = self.pick_mem(c, reach);
        let (size, op): (u64, fn(MemArg) -> I<'static>) = match ty {
            Ty::I32 => *c.pick(&[
                (4, I::I32Load as fn(MemArg) -> I<'static>),
                (1, I::I32Load8S),
                (1, I::I32Load8U),
                (2, I::I32Load16S),
                (2, I::I32Load16U),
            ]),
            Ty::I64 => *c.pick(&[
                (8, I::I64Load as fn(MemArg) -> I<'static>),
                (1, I::I64Load8S),
                (1, I::I64Load8U),
                (2, I::I64Load16S),
                (2, I::I64Load16U),
                (4, I::I64Load32S),
                (4, I::I64Load32U),
            ]),
            Ty::F32 => (4, I::F32Load as fn(MemArg) -> I<'static>),
            Ty::F64 => (8, I::F64Load as fn(MemArg) -> I<'static>),
        };
        let arg = self.address(c, mem, size, reach);
        self.emit(op(arg));
        false
    }

    /// A store of a value of `ty` made by `value` (canonicalized), of every width.
    pub fn store_with(
        &mut self,
        c: &mut Choices,
        ty: Ty,
        reach: Reach,
        value: impl FnOnce(&mut Self, &mut Choices) -> Nd,
    ) {
        let mem = self.pick_mem(c, reach);
        let (size, op): (u64, fn(MemArg) -> I<'static>) = match ty {
            Ty::I32 => *c.pick(&[
                (4, I::I32Store as fn(MemArg) -> I<'static>),
                (1, I::I32Store8),
                (2, I::I32Store16),
            ]),
            Ty::I64 => *c.pick(&[
                (8, I::I64Store as fn(MemArg) -> I<'static>),
                (1, I::I64Store8),
                (2, I::I64Store16),
                (4, I::I64Store32),
            ]),
            Ty::F32 => (4, I::F32Store as fn(MemArg) -> I<'static>),
            Ty::F64 => (8, I::F64Store as fn(MemArg) -> I<'static>),
        };
        let arg = self.address(c, mem, size, reach);
        let nd = value(self, c);
        self.canon(ty, nd);
        self.emit(op(arg));
    }

    // ---- conditions ------------------------------------------------------------------------

    /// An integer type, `i32` or `i64`.
    pub fn int_ty(c: &mut Choices) -> Ty {
        if c.chance(1, 2) { Ty::I64 } else { Ty::I32 }
    }

    /// A float type.
    pub fn float_ty(c: &mut Choices) -> Ty {
        if c.chance(1, 2) { Ty::F64 } else { Ty::F32 }
    }

    /// The right operand of a comparison or operation with `ty`: a boundary constant half the
    /// time (the immediate forms), else an operand.
    pub fn rhs(&mut self, c: &mut Choices, ty: Ty) -> Nd {
        if c.chance(1, 2) {
            self.konst(c, ty)
        } else {
            self.expr(c, ty)
        }
    }

    /// Emits an `i32` condition in one of the shapes compilers fuse with their consumer:
    /// integer and float comparisons (against constants at the extremes too), `eqz` of values
    /// and chains of `eqz`, `ne 0` / `eq 0` / `eq 1` of comparisons, `and`/`or`/`xor` of two
    /// comparisons, single-bit tests, `ctz`/`clz` compared with zero, comparisons of
    /// comparisons, and plain values.
    pub fn cond(&mut self, c: &mut Choices) {
        let deep = self.depth > self.cfg.max_depth;
        match c.weighted(&[
            6,
            3,
            2,
            if deep { 0 } else { 3 },
            if deep { 0 } else { 2 },
            2,
            1,
            if deep { 0 } else { 1 },
            1,
        ]) {
            0 => {
                let ty = Self::int_ty(c);
                self.expr(c, ty);
                self.rhs(c, ty);
                let op = *c.pick(&ICmp::ALL);
                self.emit(op.ins(ty));
            }
            1 => {
                let ty = Self::float_ty(c);
                self.expr(c, ty);
                self.rhs(c, ty);
                let op = *c.pick(&FCmp::ALL);
                self.emit(op.ins(ty));
            }
            2 => {
                let ty = Self::int_ty(c);
                self.expr(c, ty);
                self.emit(if ty == Ty::I64 { I::I64Eqz } else { I::I32Eqz });
            }
            3 => {
                self.depth += 1;
                self.cond(c);
                self.depth -= 1;
                match c.below(5) {
                    0 => self.emit(I::I32Eqz),
                    1 => {
                        self.emit(I::I32Eqz);
                        self.emit(I::I32Eqz);
                    }
                    2 => {
                        self.emit(I::I32Const(0));
                        self.emit(I::I32Ne);
                    }
                    3 => {
                        self.emit(I::I32Const(0));
                        self.emit(I::I32Eq);
                    }
                    _ => {
                        self.emit(I::I32Const(1));
                        self.emit(if c.chance(1, 2) { I::I32Eq } else { I::I32Ne });
                    }
                }
            }
            4 => {
                self.depth += 1;
                self.cond(c);
                self.cond(c);
                self.depth -= 1;
                self.emit(c.pick(&[I::I32And, I::I32Or, I::I32Xor]).clone());
            }
            5 => {
                // A single-bit (or mask) test: x64 `test`/`bt`, wasmi's and-branches.
                let ty = Self::int_ty(c);
                self.expr(c, ty);
                match c.below(3) {
                    0 => {
                        let n = c.below(u64::from(ty.bits()));
                        self.int_const(ty, 1 << n);
                    }
                    1 => {
                        self.int_const(ty, 1);
                        self.expr(c, ty);
                        self.emit(IBin::Shl.ins(ty));
                    }
                    _ => {
                        self.konst(c, ty);
                    }
                }
                self.emit(IBin::And.ins(ty));
                if ty == Ty::I64 {
                    self.emit(I::I64Const(0));
                    self.emit(I::I64Ne);
                }
            }
            6 => {
                // ctz(x) == 0 / clz(x) == 0: icmp.isle's boolean-context rewrites.
                let ty = Self::int_ty(c);
                self.expr(c, ty);
                let wide = ty == Ty::I64;
                self.emit(match (c.chance(1, 2), wide) {
                    (true, false) => I::I32Ctz,
                    (false, false) => I::I32Clz,
                    (true, true) => I::I64Ctz,
                    (false, true) => I::I64Clz,
                });
                if wide {
                    self.emit(I::I64Eqz);
                } else {
                    self.emit(I::I32Eqz);
                }
            }
            7 => {
                self.depth += 1;
                self.cond(c);
                self.cond(c);
                self.depth -= 1;
                let op = *c.pick(&ICmp::ALL);
                self.emit(op.ins(Ty::I32));
            }
            _ => {
                self.expr(c, Ty::I32);
            }
        }
    }

    /// Emits `br_table` over `targets` labels (relative depths) with `default`.
    pub fn br_table(&mut self, targets: Vec<u32>, default: u32) {
        self.emit(I::BrTable(Cow::Owned(targets), default));
    }
}
