;; wasmtime 48.0.8's Winch (x86_64) crashes the host process with SIGSEGV, or computes wrong
;; values, when `table.copy` copies zero elements while a value that Winch has not yet spilled
;; (a `local.get`, or a value held in a register) sits on the operand stack below its operands.
;;
;; Why: found by `catchall fuzz` (idioms profile, the `table_ops` template: `table.copy` at the
;; table's bound with lengths 0..=size), seed 53759, case 25: a trap-vs-return in which Winch
;; trapped `out of bounds memory access` where the reference, Cranelift, Pulley and wasmi
;; returned; `catchall reduce` of that finding then killed its own process with SIGSEGV on a
;; smaller candidate. Reduced by hand to the module below.
;;
;; Verdict: Winch bug. Every other engine (reference, cranelift, cranelift-explicit,
;; cranelift-o0, pulley, wasmi) returns the parameter. Plain wasmtime 48.0.8 with
;; `Strategy::Winch` and its default configuration (no fuel, signal-based traps) crashes the
;; same way, so it is not an artefact of catchall's configuration. With a length of 1, or with a
;; constant below the operands, Winch is right. Not found reported upstream (wasmtime's issue
;; tracker searched for winch / table.copy / segfault).
;;
;; Upstream report (wasmtime 48.0.8, `-C compiler=winch`, x86_64 Linux):
;;   Expected (spec `table.copy`: a zero-length copy in bounds does nothing):
;;   copy_zero_under_local(7) = 7, copy_zero_under_computed(7) = 8.
;;   Actual: the process dies with SIGSEGV (inside the module's code); in larger functions the
;;   value below the operands is read back wrong instead (an address computed from it then
;;   traps out of bounds).
;;   Likely cause, from the source: `CodeGen::emit_table_copy`
;;   (winch-codegen-48.0.8/src/codegen/mod.rs) lowers `table.copy` to an inline loop whose body
;;   does a `table.get` and a `table.set`; the `table.get` may call the lazy-initialization
;;   builtin, and calls spill the value stack. That spill is emitted inside the loop body, so
;;   when the loop runs zero times it is jumped over while the compiler's value stack already
;;   records the values below as spilled: the machine stack and Winch's model of it disagree
;;   from then on (the same class of bug as bytecodealliance/wasmtime#7573, fixed for
;;   `call_indirect` by spilling before the branch).
;;
;; Winch's ledger entry says it is not run in process (it kills the test run).
(module
  (table 3 3 funcref)
  (func (export "copy_zero_under_local") (param i32) (result i32)
    local.get 0
    (table.copy (i32.const 1) (i32.const 2) (i32.const 0)))
  (func (export "copy_zero_under_computed") (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1))
    (table.copy (i32.const 1) (i32.const 2) (i32.const 0)))
  (func (export "copy_one_under_local") (param i32) (result i32)
    local.get 0
    (table.copy (i32.const 1) (i32.const 2) (i32.const 1))))
(assert_return (invoke "copy_one_under_local" (i32.const 7)) (i32.const 7))
(assert_return (invoke "copy_zero_under_local" (i32.const 7)) (i32.const 7))
(assert_return (invoke "copy_zero_under_computed" (i32.const 7)) (i32.const 8))
