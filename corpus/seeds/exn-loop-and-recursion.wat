;; Many exceptions in a row and one through many frames: a loop that throws and catches 1000
;; times (counting the catches), and a recursion 200 frames deep whose innermost frame throws
;; to the outermost handler, with every frame's pending work discarded.
;;
;; Why: the first throw is the easy one; state an engine keeps per throw (a pending-exception
;; slot, a GC root for the exception object, a handler cache, stack-walk scratch space) leaks
;; or goes stale over many. Deep unwinding exercises the stack walk over many frames of the
;; same function. Depths and counts stay well inside every engine's call-depth and fuel budget.
;;
;; expect: instantiate => ok
;; expect: throw_many(i32:1000) => i32:1000
;; expect: sum_payloads(i32:100) => i64:5050
;; expect: deep(i32:200) => i32:200
;; expect: deep_escape(i32:150) => exn $depth(i32:150)
;; expect: throw_many(i32:0) => i32:0
(module
  (tag $tick (export "tick") (param i64))
  (tag $depth (export "depth") (param i32))

  (func (export "throw_many") (param $n i32) (result i32)
    (local $caught i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $caught) (local.get $n)))
        (block $h (result i64)
          (try_table (catch $tick $h)
            (throw $tick (i64.extend_i32_u (local.get $caught))))
          (unreachable))
        (drop)
        (local.set $caught (i32.add (local.get $caught) (i32.const 1)))
        (br $next)))
    (local.get $caught))

  (func (export "sum_payloads") (param $n i32) (result i64)
    (local $i i32) (local $sum i64)
    (loop $next
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (block $h (result i64)
        (try_table (catch $tick $h)
          (throw $tick (i64.extend_i32_u (local.get $i))))
        (unreachable))
      (local.set $sum (i64.add (local.get $sum)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $sum))

  ;; Recurses $n times, then throws the depth reached; each frame would add 1000 on return.
  (func $recurse (param $left i32) (param $depth i32) (result i32)
    (if (i32.eqz (local.get $left)) (then (throw $depth (local.get $depth))))
    (i32.add (i32.const 1000)
      (call $recurse (i32.sub (local.get $left) (i32.const 1))
                     (i32.add (local.get $depth) (i32.const 1)))))

  (func (export "deep") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $depth $h)
        (return (call $recurse (local.get 0) (i32.const 0))))
      (unreachable)))

  (func (export "deep_escape") (param i32) (result i32)
    (call $recurse (local.get 0) (i32.const 0)))
)
