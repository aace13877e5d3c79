;; An escaping exception whose payload holds references: an exnref (another exception object)
;; and an externref passed in by the host.
;;
;; Why: reference fields of an exception object must keep their identity. The host has to see
;; the nested exception as an object of its own (here: the outer exception is the first object
;; the host sees, #1, and the nested one the second, #2; exnref ids count distinct objects in
;; the order the host first sees them, outer before its fields), and handing that exnref back
;; to wasm and catching it again must give the very same object, with its own tag and payload.
;; A GC-managed payload that is copied, dropped by a collector that does not trace exception
;; fields, or re-boxed shows up as a new id or a lost payload.
;;
;; expect: instantiate => ok
;; expect: throw_refs(externref:42) => exn $refs(exnref:#2, externref:42)
;; expect: same_object(exnref:#2) => exnref:#2
;; expect: unwrap(exnref:#2) => i32:5
;; expect: throw_refs(externref:null) => exn $refs(exnref:#4, externref:null)
;; expect: same_object(exnref:#1) => exnref:#1
;; expect: rethrow(exnref:#4) => exn $inner(i32:5)
;; expect: rethrow(exnref:#3) => exn $refs(exnref:#4, externref:null)
;; expect: unwrap(exnref:#3) => exn $refs(exnref:#4, externref:null)
(module
  (tag $inner (export "inner") (param i32))
  (tag $refs (export "refs") (param exnref externref))

  ;; A fresh $inner exception, caught and returned as an exnref.
  (func $make (result exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h)
        (throw $inner (i32.const 5)))
      (unreachable)))

  (func (export "throw_refs") (param externref)
    (throw $refs (call $make) (local.get 0)))

  ;; Rethrows the exnref and catches it again: the same object must come back.
  (func (export "same_object") (param exnref) (result exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h)
        (throw_ref (local.get 0)))
      (unreachable)))

  ;; The payload of an $inner exception; any other exception escapes.
  (func (export "unwrap") (param exnref) (result i32)
    (block $h (result i32)
      (try_table (catch $inner $h)
        (throw_ref (local.get 0)))
      (unreachable)))

  (func (export "rethrow") (param exnref)
    (throw_ref (local.get 0)))
)
