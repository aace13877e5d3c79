;; Stores and global writes made before a throw or a trap persist: the host sees them in the
;; exported memory and globals after the call, whether the exception escaped, was caught
;; further up, or the call trapped.
;;
;; Why: an optimizer may sink or delete a store that is followed by a throw when it treats the
;; throw as leaving no observer (dead-store elimination across a call that cannot return, or
;; stores kept in registers until a normal return). Exceptions are observed after the fact
;; through the state snapshot as well as through the loads below.
;;
;; expect: instantiate => ok
;; expect: store_then_throw(i32:-559038737) => exn $e(i32:1)
;; expect: load(i32:0) => i32:-559038737
;; expect: get_g() => i64:5
;; expect: store_then_trap(i32:4660) => trap unreachable
;; expect: load(i32:4) => i32:4660
;; expect: get_g() => i64:6
;; expect: caught_in_caller() => i32:2
;; expect: load(i32:8) => i32:1111
;; expect: load(i32:12) => i32:0
;; expect: get_g() => i64:7
(module
  (tag $e (export "e") (param i32))
  (memory (export "mem") 1)
  (global $g (export "g") (mut i64) (i64.const 0))

  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "get_g") (result i64) (global.get $g))

  (func (export "store_then_throw") (param i32)
    (i32.store (i32.const 0) (local.get 0))
    (global.set $g (i64.const 5))
    (throw $e (i32.const 1)))

  (func (export "store_then_trap") (param i32)
    (i32.store (i32.const 4) (local.get 0))
    (global.set $g (i64.const 6))
    (unreachable))

  ;; The callee writes, throws, and the write after the throw never happens.
  (func $writes_then_throws
    (i32.store (i32.const 8) (i32.const 1111))
    (global.set $g (i64.const 7))
    (throw $e (i32.const 2))
    (i32.store (i32.const 12) (i32.const 2222)))

  (func (export "caught_in_caller") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (call $writes_then_throws)
        (i32.store (i32.const 12) (i32.const 3333)))
      (unreachable)))
)
