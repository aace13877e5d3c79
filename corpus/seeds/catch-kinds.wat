;; What each catch clause pushes: `catch` the payload, `catch_ref` the payload then the exnref,
;; `catch_all` nothing, `catch_all_ref` the exnref alone.
;;
;; Why: the four clause kinds differ only in what they leave for the label, and an engine that
;; mixes them up (an exnref missing after the payload, the payload left under a catch_all_ref,
;; fields in the wrong order) produces wrong values rather than a validation error, since the
;; label types are fixed by the module. The exnrefs each clause hands out are then fed back to
;; wasm: rethrowing them must yield the original tag and payload, and a null exnref must trap.
;;
;; expect: instantiate => ok
;; expect: catch() => i32:1, i64:10
;; expect: catch_ref() => i32:2, i64:20, exnref:#1
;; expect: catch_all() => i32:3
;; expect: catch_all_ref() => exnref:#2
;; expect: payload(exnref:#2) => i32:4, i64:40
;; expect: payload(exnref:#1) => i32:2, i64:20
;; expect: rethrow(exnref:#1) => exn $e(i32:2, i64:20)
;; expect: rethrow(exnref:#2) => exn $e(i32:4, i64:40)
;; expect: rethrow(exnref:null) => trap null-ref
(module
  (tag $e (export "e") (param i32 i64))

  (func (export "catch") (result i32 i64)
    (block $h (result i32 i64)
      (try_table (catch $e $h)
        (throw $e (i32.const 1) (i64.const 10)))
      (unreachable)))

  (func (export "catch_ref") (result i32 i64 exnref)
    (block $h (result i32 i64 exnref)
      (try_table (catch_ref $e $h)
        (throw $e (i32.const 2) (i64.const 20)))
      (unreachable)))

  ;; The label takes no values: reaching it is the whole observation.
  (func (export "catch_all") (result i32)
    (block $h
      (try_table (catch_all $h)
        (throw $e (i32.const 3) (i64.const 30)))
      (unreachable))
    (i32.const 3))

  (func (export "catch_all_ref") (result exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h)
        (throw $e (i32.const 4) (i64.const 40)))
      (unreachable)))

  ;; The payload of an exnref, read back through `catch`.
  (func (export "payload") (param exnref) (result i32 i64)
    (block $h (result i32 i64)
      (try_table (catch $e $h)
        (throw_ref (local.get 0)))
      (unreachable)))

  (func (export "rethrow") (param exnref)
    (throw_ref (local.get 0)))
)
