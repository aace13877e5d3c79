;; Tags match by identity, not by signature: two tags with the same parameter types are
;; different tags, so a clause for one never catches the other.
;;
;; Why: an engine that keys handlers on the tag's type, or on a signature hash, would catch
;; $a with a clause for $b. The escaping exceptions must also name the right tag to the host,
;; including a tag the module does not export ($c, shown by its index as `tag2`).
;;
;; expect: instantiate => ok
;; expect: throw_a_catch_b() => exn $a(i32:1)
;; expect: throw_b_catch_b() => i32:2
;; expect: dispatch(i32:0) => i32:10
;; expect: dispatch(i32:1) => i32:21
;; expect: dispatch(i32:2) => exn tag2(i32:2)
;; expect: throw_c_catch_a_b() => exn tag2(i32:3)
(module
  (tag $a (export "a") (param i32))
  (tag $b (export "b") (param i32))
  (tag $c (param i32))

  (func (export "throw_a_catch_b") (result i32)
    (block $h (result i32)
      (try_table (catch $b $h)
        (throw $a (i32.const 1)))
      (unreachable)))

  (func (export "throw_b_catch_b") (result i32)
    (block $h (result i32)
      (try_table (catch $b $h)
        (throw $b (i32.const 2)))
      (unreachable)))

  ;; Throws $a, $b or $c by argument; $a lands on 10 + payload, $b on 20 + payload.
  (func $throw_one (param i32)
    (if (i32.eqz (local.get 0)) (then (throw $a (local.get 0))))
    (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $b (local.get 0))))
    (throw $c (local.get 0)))

  (func (export "dispatch") (param i32) (result i32)
    (block $on_b (result i32)
      (block $on_a (result i32)
        (try_table (catch $a $on_a) (catch $b $on_b)
          (call $throw_one (local.get 0)))
        (unreachable))
      (return (i32.add (i32.const 10))))
    (i32.add (i32.const 20)))

  (func (export "throw_c_catch_a_b") (result i32)
    (block $h (result i32)
      (try_table (catch $a $h) (catch $b $h)
        (throw $c (i32.const 3)))
      (unreachable)))
)
