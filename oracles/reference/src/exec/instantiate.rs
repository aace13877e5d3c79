//! Instantiation (spec 4.5.4): import matching, allocation, segment initialization and the start function.

use super::memory::PAGE;
use super::store::{Extern, ModuleInst, Store, TypeId};
use super::value::{DataAddr, ElemAddr, FuncAddr, GlobalAddr, InstAddr, Value};
use crate::error::{InstantiateError, Stop, Trap};
use crate::exec::numerics;
use crate::syntax::{
    ConstExpr, ConstInstr, DataMode, ElemMode, ExternKind, ImportDesc, Limits, Module,
};
use std::sync::Arc;

/// The message of every import type mismatch (the spec interpreter's text).
pub const INCOMPATIBLE_IMPORT: &str = "incompatible import type";

impl Store {
    /// Instantiates `module` with `imports` (one per import, in order), running its segment
    /// initialization and start function.
    pub fn instantiate(
        &mut self,
        module: &Arc<Module>,
        imports: &[Extern],
    ) -> Result<InstAddr, InstantiateError> {
        if imports.len() != module.imports.len() {
            return Err(InstantiateError::Unlinkable(format!(
                "{} imports expected, {} given",
                module.imports.len(),
                imports.len()
            )));
        }
        let types: Vec<TypeId> = module.types.iter().map(|t| self.intern(t)).collect();

        // Step 3-4: every import matches its declared type (spec 4.5.2 "External typing"
        // and 3.3.x "Import subtyping").
        for (import, ext) in module.imports.iter().zip(imports) {
            if !self.matches(&import.desc, *ext, &types) {
                return Err(InstantiateError::Unlinkable(format!(
                    "{INCOMPATIBLE_IMPORT}: {}::{}",
                    import.module, import.name
                )));
            }
        }
        // The host's limits apply to declared minimums before anything is allocated.
        let config = self.rt.config;
        for t in &module.tables {
            if t.limits.min > config.max_table_elements {
                return Err(InstantiateError::Resource(format!(
                    "table of {} elements exceeds the limit of {}",
                    t.limits.min, config.max_table_elements
                )));
            }
        }
        for m in &module.mems {
            if u128::from(m.limits.min) * u128::from(PAGE) > u128::from(config.max_memory_bytes) {
                return Err(InstantiateError::Resource(format!(
                    "memory of {} pages exceeds the limit of {} bytes",
                    m.limits.min, config.max_memory_bytes
                )));
            }
        }

        // Allocation (spec 4.5.3.10 `allocmodule`).
        let addr = InstAddr(self.code.instances.len() as u32);
        let mut inst = ModuleInst {
            types: types.clone(),
            ..ModuleInst::default()
        };
        for ext in imports {
            match *ext {
                Extern::Func(a) => inst.funcs.push(a),
                Extern::Table(a) => inst.tables.push(a),
                Extern::Memory(a) => inst.mems.push(a),
                Extern::Global(a) => inst.globals.push(a),
                Extern::Tag(a) => inst.tags.push(a),
            }
        }
        for (i, f) in module.funcs.iter().enumerate() {
            let a = self.alloc_wasm_func(types[f.ty as usize], module, i as u32, addr);
            inst.funcs.push(a);
        }
        for t in &module.tables {
            let a = self.alloc_table(*t, Value::null(t.elem));
            inst.tables.push(a);
        }
        for m in &module.mems {
            let a = self.alloc_memory(*m);
            inst.mems.push(a);
        }
        // Globals are initialized in order; an initializer may read earlier globals.
        for g in &module.globals {
            let v = self.eval_const(&g.init, &inst.funcs, &inst.globals);
            let a = self.alloc_global(g.ty, v);
            inst.globals.push(a);
        }
        for &t in &module.tags {
            let ty = module.types[t as usize].clone();
            let a = self.alloc_tag(&ty);
            inst.tags.push(a);
        }
        for e in &module.elems {
            let items: Box<[Value]> = e
                .init
                .iter()
                .map(|x| self.eval_const(x, &inst.funcs, &inst.globals))
                .collect();
            inst.elems.push(ElemAddr(self.rt.elems.len() as u32));
            self.rt.elems.push(items);
        }
        for d in &module.datas {
            inst.datas.push(DataAddr(self.rt.datas.len() as u32));
            self.rt.datas.push(d.init.clone());
        }
        for e in &module.exports {
            let i = e.index as usize;
            let ext = match e.kind {
                ExternKind::Func => Extern::Func(inst.funcs[i]),
                ExternKind::Table => Extern::Table(inst.tables[i]),
                ExternKind::Memory => Extern::Memory(inst.mems[i]),
                ExternKind::Global => Extern::Global(inst.globals[i]),
                ExternKind::Tag => Extern::Tag(inst.tags[i]),
            };
            inst.exports.push((e.name.clone(), ext));
        }
        self.code.instances.push(inst);
        let stopped = |stop: Stop| InstantiateError::Stopped {
            instance: addr,
            stop,
        };

        // Step 14-15: active element segments (`table.init` then `elem.drop`), declarative
        // segments dropped; then active data segments (`memory.init` then `data.drop`).
        for (i, e) in module.elems.iter().enumerate() {
            let seg = self.code.instances[addr.index()].elems[i];
            match &e.mode {
                ElemMode::Passive => {}
                ElemMode::Declarative => self.rt.elems[seg.index()] = Box::new([]),
                ElemMode::Active { table, offset } => {
                    let inst = &self.code.instances[addr.index()];
                    let (funcs, globals) = (inst.funcs.clone(), inst.globals.clone());
                    let table = inst.tables[*table as usize];
                    let d = self.eval_const(offset, &funcs, &globals).as_address();
                    let items = std::mem::take(&mut self.rt.elems[seg.index()]);
                    let t = &mut self.rt.tables[table.index()];
                    let end = u128::from(d) + items.len() as u128;
                    if end > t.elems.len() as u128 {
                        return Err(stopped(Stop::Trap(Trap::TableOutOfBounds)));
                    }
                    t.elems[d as usize..end as usize].copy_from_slice(&items);
                }
            }
        }
        for (i, d) in module.datas.iter().enumerate() {
            let seg = self.code.instances[addr.index()].datas[i];
            if let DataMode::Active { mem, offset } = &d.mode {
                let inst = &self.code.instances[addr.index()];
                let (funcs, globals) = (inst.funcs.clone(), inst.globals.clone());
                let mem = inst.mems[*mem as usize];
                let at = self.eval_const(offset, &funcs, &globals).as_address();
                let bytes = std::mem::replace(&mut self.rt.datas[seg.index()], Arc::from([]));
                self.rt.mems[mem.index()]
                    .write(at, &bytes)
                    .map_err(|t| stopped(Stop::Trap(t)))?;
            }
        }

        // Step 16: the start function.
        if let Some(start) = module.start {
            let f = self.code.instances[addr.index()].funcs[start as usize];
            self.invoke(f, &[]).map_err(stopped)?;
        }
        Ok(addr)
    }

    /// Whether an external value matches an import's type.
    fn matches(&self, desc: &ImportDesc, ext: Extern, types: &[TypeId]) -> bool {
        match (desc, ext) {
            (ImportDesc::Func(t), Extern::Func(a)) => self.func(a).ty() == types[*t as usize],
            (ImportDesc::Table(tt), Extern::Table(a)) => {
                let t = self.table(a);
                t.ty.elem == tt.elem
                    && t.ty.index == tt.index
                    && limits_match(t.elems.len() as u64, t.ty.limits.max, tt.limits)
            }
            (ImportDesc::Memory(mt), Extern::Memory(a)) => {
                let m = self.memory(a);
                m.ty().index == mt.index
                    && limits_match(m.size_pages(), m.ty().limits.max, mt.limits)
            }
            (ImportDesc::Global(gt), Extern::Global(a)) => self.global(a).ty == *gt,
            (ImportDesc::Tag(t), Extern::Tag(a)) => {
                self.rt.tags[a.index()].ty == types[*t as usize]
            }
            _ => false,
        }
    }

    /// Evaluates a constant expression (spec 4.4.13 / 3.3.10) in the context of a partially
    /// allocated instance.
    pub(crate) fn eval_const(
        &self,
        expr: &ConstExpr,
        funcs: &[FuncAddr],
        globals: &[GlobalAddr],
    ) -> Value {
        let mut stack: Vec<Value> = Vec::with_capacity(4);
        for instr in expr.0.iter() {
            let v = match *instr {
                ConstInstr::I32Const(x) => Value::I32(x),
                ConstInstr::I64Const(x) => Value::I64(x),
                ConstInstr::F32Const(x) => Value::F32(x),
                ConstInstr::F64Const(x) => Value::F64(x),
                ConstInstr::RefNull(t) => Value::null(t),
                ConstInstr::RefFunc(x) => Value::FuncRef(Some(funcs[x as usize])),
                ConstInstr::GlobalGet(x) => self.global(globals[x as usize]).value,
                ConstInstr::I32Add | ConstInstr::I32Sub | ConstInstr::I32Mul => {
                    let (Some(Value::I32(b)), Some(Value::I32(a))) = (stack.pop(), stack.pop())
                    else {
                        panic!("reference interpreter bug: ill-typed constant expression")
                    };
                    Value::I32(match instr {
                        ConstInstr::I32Add => numerics::i32_add(a, b),
                        ConstInstr::I32Sub => numerics::i32_sub(a, b),
                        _ => numerics::i32_mul(a, b),
                    })
                }
                ConstInstr::I64Add | ConstInstr::I64Sub | ConstInstr::I64Mul => {
                    let (Some(Value::I64(b)), Some(Value::I64(a))) = (stack.pop(), stack.pop())
                    else {
                        panic!("reference interpreter bug: ill-typed constant expression")
                    };
                    Value::I64(match instr {
                        ConstInstr::I64Add => numerics::i64_add(a, b),
                        ConstInstr::I64Sub => numerics::i64_sub(a, b),
                        _ => numerics::i64_mul(a, b),
                    })
                }
            };
            stack.push(v);
        }
        match stack[..] {
            [v] => v,
            _ => panic!("reference interpreter bug: constant expression left {stack:?}"),
        }
    }
}

/// Limits matching (spec 3.3.x "Limits"): the provided size is at least the required minimum,
/// and if a maximum is required, one is provided and it is at most the required one.
fn limits_match(size: u64, max: Option<u64>, required: Limits) -> bool {
    size >= required.min
        && match required.max {
            None => true,
            Some(rmax) => max.is_some_and(|m| m <= rmax),
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_matching_follows_the_spec() {
        let req = |min, max| Limits { min, max };
        assert!(limits_match(2, None, req(1, None)));
        assert!(!limits_match(0, None, req(1, None)));
        assert!(!limits_match(2, None, req(1, Some(3))));
        assert!(limits_match(2, Some(3), req(1, Some(3))));
        assert!(!limits_match(2, Some(4), req(1, Some(3))));
    }
}
