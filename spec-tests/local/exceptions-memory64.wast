;; Exceptions meet memory64: side effects before a throw persist, payloads round-trip through
;; catch clauses, throw_ref rethrows the same exception, traps are never caught, and 64-bit
;; addressing traps on overflow and writes nothing out of bounds.

(module
  (tag $e64 (export "e64") (param i64))
  (tag $pair (param i32 f64))
  (tag $empty)
  (memory i64 1 3)
  (global $g (export "g") (mut i64) (i64.const 0))

  ;; Stores at a 64-bit address and sets a global, then throws the value.
  (func $store-then-throw (export "store-then-throw") (param $addr i64) (param $v i64)
    (i64.store (local.get $addr) (local.get $v))
    (global.set $g (local.get $v))
    (throw $e64 (local.get $v)))

  ;; Catches store-then-throw's exception: its payload, then the value that was stored.
  (func (export "catch-store") (param $addr i64) (param $v i64) (result i64 i64)
    (block $h (result i64)
      (try_table (catch $e64 $h)
        (call $store-then-throw (local.get $addr) (local.get $v)))
      (unreachable))
    (i64.load (local.get $addr)))

  ;; An out-of-bounds store inside a try_table with catch_all traps: traps are not exceptions.
  (func (export "trap-not-caught") (result i32)
    (block $h
      (try_table (catch_all $h)
        (i64.store (i64.const 0x10000) (i64.const 1)))
      (return (i32.const 0)))
    (i32.const 1))

  ;; An 8-byte store straddling the end of memory traps and writes nothing.
  (func (export "straddle") (i64.store (i64.const 0xfffc) (i64.const -1)))
  (func (export "load-end") (result i32) (i32.load (i64.const 0xfffc)))

  ;; address + offset overflows 64 bits: out of bounds, not a wrap-around.
  (func (export "offset-overflow") (result i64)
    (i64.load offset=0xffff_ffff_ffff_fff0 (i64.const 0x20)))

  ;; catch_ref takes the payload and the exnref; throw_ref rethrows the same exception.
  (func $rethrow (param i32 f64)
    (block $h (result i32 f64 exnref)
      (try_table (catch_ref $pair $h)
        (throw $pair (local.get 0) (local.get 1)))
      (unreachable))
    (throw_ref))
  (func (export "rethrow-payload") (param i32 f64) (result i32 f64)
    (block $h (result i32 f64)
      (try_table (catch $pair $h) (call $rethrow (local.get 0) (local.get 1)))
      (unreachable)))

  ;; An exception caught by catch_all_ref and rethrown escapes to the host.
  (func (export "rethrow-escapes")
    (throw_ref
      (block (result exnref)
        (try_table (catch_all_ref 0) (throw $empty))
        (unreachable))))

  ;; throw_ref of null traps.
  (func (export "throw-null") (throw_ref (ref.null exn)))

  ;; memory.grow answers in the index type: -1 past the maximum.
  (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
  (func (export "size") (result i64) (memory.size))
)

(assert_return (invoke "catch-store" (i64.const 8) (i64.const 0x1122334455667788))
  (i64.const 0x1122334455667788) (i64.const 0x1122334455667788))
(assert_return (get "g") (i64.const 0x1122334455667788))
(assert_exception (invoke "store-then-throw" (i64.const 16) (i64.const 7)))
(assert_return (get "g") (i64.const 7))
(assert_trap (invoke "trap-not-caught") "out of bounds memory access")
(assert_trap (invoke "straddle") "out of bounds memory access")
(assert_return (invoke "load-end") (i32.const 0))
(assert_trap (invoke "offset-overflow") "out of bounds memory access")
(assert_return (invoke "rethrow-payload" (i32.const -1) (f64.const -0x1.8p1))
  (i32.const -1) (f64.const -0x1.8p1))
(assert_exception (invoke "rethrow-escapes"))
(assert_trap (invoke "throw-null") "null exception reference")
(assert_return (invoke "grow" (i64.const 5)) (i64.const -1))
(assert_return (invoke "size") (i64.const 1))
(assert_return (invoke "grow" (i64.const 1)) (i64.const 1))
(assert_return (invoke "size") (i64.const 2))

;; A start function that throws makes instantiation fail with the exception.
(assert_exception
  (module
    (tag $t)
    (func $start (throw $t))
    (start $start)))
