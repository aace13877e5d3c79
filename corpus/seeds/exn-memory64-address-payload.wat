;; An exception carries an i64 address loaded from a memory64, and the handler dereferences it:
;; in bounds it reads the bytes there, out of bounds (the 2^16 bound, -8 with an offset that
;; wraps to 0) it traps — and the trap, raised after the catch, is not caught.
;;
;; Why: exceptions and memory64 meet in real code (an error object's address thrown up the
;; stack). The payload is the full 64-bit value: an engine that stores i64 payload fields as
;; 32 bits, or an unwinder that clobbers the register holding the memory base or bound, turns
;; the handler's load into a wrong read instead of the right value or trap.
;;
;; expect: instantiate => ok
;; expect: throw_loaded(i64:0) => exn $addr(i64:65528)
;; expect: throw_loaded(i64:16) => exn $addr(i64:-8)
;; expect: throw_loaded(i64:65536) => trap oob
;; expect: deref_caught(i64:0) => i64:578437695752307201
;; expect: deref_caught(i64:8) => trap oob
;; expect: deref_caught(i64:24) => i64:578437695752307201
;; expect: deref_caught_offset8(i64:16) => trap oob
;; expect: deref_caught_offset8(i64:32) => i64:578437695752307201
;; expect: deref_caught(i64:65529) => trap oob
(module
  (memory (export "mem") i64 1)
  (tag $addr (export "addr") (param i64))
  ;; Little-endian i64 addresses: 0 -> 65528, 8 -> 65536, 16 -> -8, 24 -> 65528,
  ;; 32 -> 65520 (which offset=8 moves to 65528).
  (data (i64.const 0) "\f8\ff\00\00\00\00\00\00")
  (data (i64.const 8) "\00\00\01\00\00\00\00\00")
  (data (i64.const 16) "\f8\ff\ff\ff\ff\ff\ff\ff")
  (data (i64.const 24) "\f8\ff\00\00\00\00\00\00")
  (data (i64.const 32) "\f0\ff\00\00\00\00\00\00")
  (data (i64.const 65528) "\01\02\03\04\05\06\07\08")

  (func $throw_loaded (export "throw_loaded") (param i64)
    (throw $addr (i64.load (local.get 0))))

  (func (export "deref_caught") (param i64) (result i64)
    (block $h (result i64)
      (try_table (catch $addr $h)
        (call $throw_loaded (local.get 0)))
      (unreachable))
    (i64.load))

  (func (export "deref_caught_offset8") (param i64) (result i64)
    (block $on_trap
      (block $h (result i64)
        (try_table (catch $addr $h)
          (call $throw_loaded (local.get 0)))
        (unreachable))
      ;; Still inside a try_table with catch_all: the trap must go past it.
      (try_table (param i64) (result i64) (catch_all $on_trap)
        (i64.load offset=8))
      (return))
    (i64.const -1))
)
