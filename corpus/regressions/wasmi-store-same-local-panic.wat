;; wasmi 2.0.0 panics ("internal error: entered unreachable code") translating an integer
;; store whose address and value are the same local, when that local was last set from a
;; computed value and the store is not a memory-0 store with an offset below 2^16.
;;
;; Why: found by `catchall fuzz --profile idioms --cases 3000 --seed 1` (cases 605, 1228 and
;; 2448, engine-crash: wasmi panicked where every other engine trapped out of bounds or
;; returned); the idiom generator's `store_reload` template stores a value at an address held
;; in a local, and its address hints near the bound and offsets of 0x1_0000 and above reach the
;; general store path. Reduced by hand. Core WebAssembly 1.0 only; with a second memory
;; (`i32.store 1`) and any offset it panics the same way.
;;
;; Verdict: wasmi bug; every other engine (reference, cranelift, cranelift-explicit,
;; cranelift-o0, pulley, winch) returns. wasmi translates lazily, so the panic comes at the
;; first call (a host embedding wasmi aborts or unwinds out of `call`). Not found reported
;; upstream (wasmi's issue tracker searched for store / unreachable / panic).
;;
;; Upstream report (wasmi 2.0.0):
;;   Expected: f(0) = 1 (the store writes 1 at 65536, the load reads it back).
;;   Actual: panic at wasmi-2.0.0/src/engine/translator/func/mod.rs:2583 "internal error:
;;   entered unreachable code", in `visit_i32_store` (also `visit_i64_store8`, ...).
;;   Cause, from the source: `local.set 1` of a value computed into the integer accumulator
;;   register registers local 1 for that register (`translate_local_set` ->
;;   `register_local_for_reg`), so both `local.get 1` operands of the store resolve to
;;   `ResolvedOperand::Reg`. `FuncTranslator::choose_store_op_vt` then matches `(Reg, Reg)` and
;;   calls `store_rr`, which integer stores do not have (`None` -> `unreachable!()`). The
;;   memory-0/16-bit-offset path (`choose_store_mem0_offset16_op_vt`) handles the same case by
;;   moving the value to a slot (`reg_operand_to_slot`); the general path does not. A value
;;   spilled through another local first (`local.set 2; local.get 2`) avoids it (the sidestep
;;   of the known bug `wasmi-store-reg-reg` in `src/campaign/known.rs`).
;;
;; expect: instantiate => ok
;; expect: f(i32:0) => i32:1
;; expect: second_memory(i32:4) => i32:5
(module
  (memory 2)
  (memory $m1 1)
  (func (export "f") (param i32) (result i32)
    (local i32)
    (local.set 1 (i32.add (local.get 0) (i32.const 1)))
    (i32.store offset=65536 (local.get 1) (local.get 1))
    (i32.load offset=65536 (local.get 1)))
  (func (export "second_memory") (param i32) (result i32)
    (local i32)
    (local.set 1 (i32.add (local.get 0) (i32.const 1)))
    (i32.store $m1 (local.get 1) (local.get 1))
    (i32.load $m1 (local.get 1))))
