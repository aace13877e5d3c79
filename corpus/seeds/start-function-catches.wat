;; The start function throws and catches its own exception: instantiation succeeds, and the
;; handler's writes to memory and a global are visible to the first call.
;;
;; Why: handlers must work during instantiation, before any export is called (an engine that
;; sets up its exception machinery lazily on the first host call would miss this), and state
;; written by the handler must survive into the instance.
;;
;; expect: instantiate => ok
;; expect: get() => i32:12
;; expect: load() => i32:13
(module
  (tag $e (param i32))
  (memory (export "mem") 1)
  (global $g (mut i32) (i32.const 0))
  (func $start
    (block $h (result i32)
      (try_table (catch $e $h)
        (throw $e (i32.const 12)))
      (unreachable))
    (global.set $g)
    (i32.store (i32.const 8) (i32.add (global.get $g) (i32.const 1))))
  (start $start)
  (func (export "get") (result i32) (global.get $g))
  (func (export "load") (result i32) (i32.load (i32.const 8)))
)
