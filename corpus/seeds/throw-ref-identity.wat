;; `throw_ref` rethrows the same exception object: catching it again, through a global or
;; twice in one call, yields the identical exnref, while a new throw with the same tag and
;; payload is a different object; `throw_ref` of null traps.
;;
;; Why: exnref identity is observable (the host sees objects, and a rethrown exception must not
;; be re-allocated or copied), and engines implement rethrow in different ways: by resuming
;; the original unwind, by allocating a fresh object from the caught fields, or by boxing the
;; payload again. The host numbers exception objects in the order it first sees them: #1 is
;; the one saved in the exported global (seen in the snapshot after the first call).
;;
;; expect: instantiate => ok
;; expect: catch_and_save() => i32:5
;; expect: get_saved() => exnref:#1
;; expect: rethrow_saved() => exn $e(i32:5)
;; expect: catch_saved_twice() => exnref:#1, exnref:#1
;; expect: rethrow_in_handler() => exnref:#2, exnref:#2
;; expect: fresh_same_payload() => exnref:#3
;; expect: rethrow(exnref:#2) => exn $e(i32:6)
;; expect: get_saved() => exnref:#1
;; expect: rethrow(exnref:null) => trap null-ref
(module
  (tag $e (export "e") (param i32))
  (global $saved (export "saved") (mut exnref) (ref.null exn))

  (func (export "catch_and_save") (result i32)
    (block $h (result i32 exnref)
      (try_table (catch_ref $e $h)
        (throw $e (i32.const 5)))
      (unreachable))
    (global.set $saved))

  (func (export "get_saved") (result exnref) (global.get $saved))

  (func (export "rethrow_saved") (throw_ref (global.get $saved)))

  (func $recatch (param exnref) (result exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h)
        (throw_ref (local.get 0)))
      (unreachable)))

  (func (export "catch_saved_twice") (result exnref exnref)
    (call $recatch (global.get $saved))
    (call $recatch (call $recatch (global.get $saved))))

  ;; The inner handler rethrows what it caught; the outer one must catch the same object.
  (func (export "rethrow_in_handler") (result exnref exnref)
    (local $inner exnref)
    (block $outer (result exnref)
      (try_table (catch_all_ref $outer)
        (block $h (result i32 exnref)
          (try_table (catch_ref $e $h)
            (throw $e (i32.const 6)))
          (unreachable))
        (local.set $inner)
        (drop)
        (throw_ref (local.get $inner)))
      (unreachable))
    ;; (the object the outer handler caught, the one the inner handler caught)
    (local.get $inner))

  (func (export "fresh_same_payload") (result exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h)
        (throw $e (i32.const 5)))
      (unreachable)))

  (func (export "rethrow") (param exnref) (throw_ref (local.get 0)))
)
