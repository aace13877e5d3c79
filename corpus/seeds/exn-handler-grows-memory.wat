;; A handler grows a memory64 and retries: a store beyond the bound throws the number of pages
;; it needs, the handler grows the memory by the difference and stores again; a grow that
;; fails (beyond the declared maximum) returns -1 and the retried store traps. A grow made
;; before a throw stays done.
;;
;; Why: growing memory inside a handler changes the memory's bound (and, in engines that cache
;; the base and length in registers or in the frame, its cached copies) on a control path that
;; was entered by unwinding; a stale bound after the catch makes the retried store trap or
;; write out of bounds. The payloads are i64 page counts computed from 64-bit addresses.
;;
;; expect: instantiate => ok
;; expect: store_growing(i64:10, i32:1) => i64:0
;; expect: store_growing(i64:65536, i32:2) => i64:1
;; expect: size() => i64:2
;; expect: load8(i64:65536) => i32:2
;; expect: store_growing(i64:200000, i32:3) => i64:2
;; expect: size() => i64:4
;; expect: load8(i64:200000) => i32:3
;; expect: store_growing(i64:327680, i32:4) => trap oob
;; expect: size() => i64:4
;; expect: grow_then_throw(i64:1) => exn $grown(i64:4)
;; expect: size() => i64:5
;; expect: grow_then_throw(i64:1) => exn $grown(i64:-1)
;; expect: size() => i64:5
;; expect: load8(i64:327679) => i32:0
(module
  (memory (export "mem") i64 1 5)
  (tag $need (export "need") (param i64))
  (tag $grown (export "grown") (param i64))

  (func (export "size") (result i64) (memory.size))
  (func (export "load8") (param i64) (result i32) (i32.load8_u (local.get 0)))

  ;; Returns the address, or throws the number of pages needed to make it valid.
  (func $check (param i64) (result i64)
    (if (i64.ge_u (local.get 0) (i64.mul (memory.size) (i64.const 65536)))
      (then
        (throw $need (i64.add (i64.div_u (local.get 0) (i64.const 65536)) (i64.const 1)))))
    (local.get 0))

  ;; Returns 0 when no grow was needed, else memory.grow's result.
  (func (export "store_growing") (param $a i64) (param $v i32) (result i64)
    (local $old i64)
    (block $h (result i64)
      (try_table (catch $need $h)
        (i32.store8 (call $check (local.get $a)) (local.get $v))
        (return (i64.const 0)))
      (unreachable))
    ;; pages needed - current pages
    (memory.size)
    (i64.sub)
    (memory.grow)
    (local.set $old)
    (i32.store8 (local.get $a) (local.get $v))
    (local.get $old))

  (func (export "grow_then_throw") (param i64)
    (throw $grown (memory.grow (local.get 0))))
)
