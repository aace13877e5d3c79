;; A `try_table` is a handler outside its block's label: catch labels are resolved in the
;; enclosing context (label 0 of a clause is the block around the try_table, not the
;; try_table itself), `br` inside the body counts the try_table as a label, and code that runs
;; after leaving the try_table (by `br`, by falling off its end, or in the handler a catch
;; branched to) is no longer covered by its clauses.
;;
;; Why: the binary format encodes clause labels as relative depths, and an engine that
;; resolves them inside the try_table's own block jumps one level too short. An engine that
;; deactivates handlers at the wrong point (at the label it branches to rather than on leaving
;; the try_table) catches exceptions thrown after a `br` out of the body or inside a handler.
;;
;; expect: instantiate => ok
;; expect: clause_label_zero() => i32:15
;; expect: br_inside_body(i32:0) => i32:20
;; expect: br_inside_body(i32:1) => exn $e(i32:21)
;; expect: throw_after_br_out() => exn $e(i32:30)
;; expect: throw_after_fallthrough() => exn $e(i32:40)
;; expect: throw_in_handler() => exn $e(i32:51)
;; expect: br_table_out(i32:0) => i32:60
;; expect: br_table_out(i32:1) => exn $e(i32:61)
;; expect: return_from_body() => exn $e(i32:70)
(module
  (tag $e (export "e") (param i32))

  ;; Clause label 0 names the block around the try_table, whose result the payload fills.
  (func (export "clause_label_zero") (result i32)
    (block (result i32)
      (try_table (result i32) (catch $e 0)
        (throw $e (i32.const 5)))
      ;; reached only by falling off the try_table: adds 100
      (i32.add (i32.const 100)))
    (i32.add (i32.const 10)))

  ;; `br 0` inside the body leaves the try_table; 1 then throws outside it.
  (func (export "br_inside_body") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (i32.const 20)
        (br_if 0 (i32.eqz (local.get 0)))
        (drop)
        (br 0 (i32.const 21)))
      ;; out of the try_table: 0 returns the value, 1 throws it
      (local.get 0)
      (if (param i32) (result i32) (then (throw $e)))
      (return))
    (i32.add (i32.const 1000)))

  (func (export "throw_after_br_out") (result i32)
    (block $h (result i32)
      (block $out
        (try_table (catch $e $h)
          (br $out)))
      (throw $e (i32.const 30)))
    (i32.add (i32.const 1000)))

  (func (export "throw_after_fallthrough") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (nop))
      (throw $e (i32.const 40)))
    (i32.add (i32.const 1000)))

  ;; The handler code the clause branches to throws again: the same try_table must not catch.
  (func (export "throw_in_handler") (result i32)
    (block $h2 (result i32)
      (block $h (result i32)
        (try_table (catch $e $h)
          (throw $e (i32.const 50)))
        (unreachable))
      (throw $e (i32.add (i32.const 1))))
    (i32.add (i32.const 1000)))

  (func (export "br_table_out") (param i32) (result i32)
    (block $h (result i32)
      (block $out
        (try_table (catch $e $h)
          (br_table 0 $out (local.get 0))))
      (if (local.get 0) (then (throw $e (i32.const 61))))
      (return (i32.const 60)))
    (i32.add (i32.const 1000)))

  ;; `return` inside the body leaves the try_table; the caller's throw is not caught by it.
  (func $returns_from_body (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (return (i32.const 70)))
      (unreachable))
    (i32.add (i32.const 1000)))

  (func (export "return_from_body") (result i32)
    (throw $e (call $returns_from_body)))
)
