;; Catch clauses are tried in order and the first match wins: a later clause for the same tag
;; never runs, a `catch_all` before a specific clause takes everything, a clause for another
;; tag is passed over, and an exception no clause matches goes on to the enclosing handler.
;;
;; Why: engines compile a try_table's clauses into a dispatch table or a chain of tag
;; comparisons; sorting them, deduplicating tags or testing catch_all last changes which label
;; is reached. Each label here returns a distinct value (and the handler code sets a global) so
;; the clause taken is visible, not just that something was caught.
;;
;; expect: instantiate => ok
;; expect: first_of_two() => i32:101
;; expect: catch_all_first() => i32:300
;; expect: other_tag_skipped() => i32:502
;; expect: catch_ref_before_catch() => i32:604
;; expect: handler_ran() => i32:6
;; expect: inner_misses_outer_catches() => i32:705
;; expect: no_clause_matches() => exn $f(i32:8)
;; expect: handler_ran() => i32:7
(module
  (tag $e (export "e") (param i32))
  (tag $f (export "f") (param i32))
  (global $ran (mut i32) (i32.const 0))

  (func (export "handler_ran") (result i32) (global.get $ran))

  (func (export "first_of_two") (result i32)
    (block $second (result i32)
      (block $first (result i32)
        (try_table (catch $e $first) (catch $e $second)
          (throw $e (i32.const 1)))
        (unreachable))
      (global.set $ran (i32.const 1))
      (return (i32.add (i32.const 100))))
    (global.set $ran (i32.const 2))
    (i32.add (i32.const 200)))

  (func (export "catch_all_first") (result i32)
    (block $specific (result i32)
      (block $all
        (try_table (catch_all $all) (catch $e $specific)
          (throw $e (i32.const 2)))
        (unreachable))
      (global.set $ran (i32.const 3))
      (return (i32.const 300)))
    (global.set $ran (i32.const 4))
    (i32.add (i32.const 400)))

  (func (export "other_tag_skipped") (result i32)
    (block $for_e (result i32)
      (block $for_f (result i32)
        (try_table (catch $f $for_f) (catch $e $for_e)
          (throw $e (i32.const 2)))
        (unreachable))
      (return (i32.add (i32.const 400))))
    (global.set $ran (i32.const 5))
    (i32.add (i32.const 500)))

  (func (export "catch_ref_before_catch") (result i32)
    (block $plain (result i32)
      (block $with_ref (result i32 exnref)
        (try_table (catch_ref $e $with_ref) (catch $e $plain)
          (throw $e (i32.const 4)))
        (unreachable))
      (drop)
      (global.set $ran (i32.const 6))
      (return (i32.add (i32.const 600))))
    (i32.add (i32.const 650)))

  ;; The inner try_table has no clause for $e; the outer one catches it.
  (func (export "inner_misses_outer_catches") (result i32)
    (block $outer (result i32)
      (try_table (catch $e $outer)
        (block $inner (result i32)
          (try_table (catch $f $inner)
            (throw $e (i32.const 5)))
          (unreachable))
        (return (i32.add (i32.const 900))))
      (unreachable))
    (i32.add (i32.const 700)))

  (func (export "no_clause_matches") (result i32)
    (global.set $ran (i32.const 7))
    (block $h (result i32)
      (try_table (catch $e $h)
        (throw $f (i32.const 8)))
      (unreachable))
    (global.set $ran (i32.const 99)))
)
