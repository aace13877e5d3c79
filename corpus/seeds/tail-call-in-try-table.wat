;; `return_call` and `return_call_indirect` from inside a `try_table` remove the caller's frame
;; and with it the caller's handlers: an exception thrown by the tail-callee is not caught by
;; the try_table the tail call was made from, but still by handlers further up the stack.
;;
;; Why: a tail call that is compiled as an ordinary call (or an interpreter that keeps the
;; control stack entries of the replaced frame) leaves the handler in place and catches what
;; it must not. Each wrong handler here adds a large marker to the payload, so a wrongly
;; caught exception shows as a returned value instead of an escaping exception.
;;
;; expect: instantiate => ok
;; expect: return_call_in_try(i32:7) => exn $e(i32:7)
;; expect: return_call_indirect_in_try(i32:8) => exn $e(i32:8)
;; expect: caller_catches(i32:9) => i32:2000009
;; expect: nested_tail_chain(i32:10) => exn $e(i32:10)
;; expect: caller_catches_chain(i32:11) => i32:3000011
;; expect: return_call_returns(i32:1) => i32:1001
;; expect: return_call_indirect_returns(i32:2) => i32:1002
(module
  (type $i_i (func (param i32) (result i32)))
  (tag $e (export "e") (param i32))
  (table funcref (elem $thrower $plus1000))

  (func $thrower (param i32) (result i32)
    (throw $e (local.get 0)))

  (func $plus1000 (param i32) (result i32)
    (i32.add (local.get 0) (i32.const 1000)))

  (func $return_call_in_try (export "return_call_in_try") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (return_call $thrower (local.get 0)))
      (unreachable))
    (i32.add (i32.const 1000000)))

  (func (export "return_call_indirect_in_try") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (return_call_indirect (type $i_i) (local.get 0) (i32.const 0)))
      (unreachable))
    (i32.add (i32.const 1000000)))

  ;; The caller's own handler is still in place.
  (func (export "caller_catches") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (return (call $return_call_in_try (local.get 0))))
      (unreachable))
    (i32.add (i32.const 2000000)))

  ;; Two tail calls in a row, each from inside a try_table of its own.
  (func $hop2 (param i32) (result i32)
    (block $h
      (try_table (catch_all $h)
        (return_call_indirect (type $i_i) (local.get 0) (i32.const 0))))
    (i32.const 1000000))

  (func $hop1 (export "nested_tail_chain") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (return_call $hop2 (local.get 0)))
      (unreachable))
    (i32.add (i32.const 1000000)))

  (func (export "caller_catches_chain") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (return (call $hop1 (local.get 0))))
      (unreachable))
    (i32.add (i32.const 3000000)))

  (func (export "return_call_returns") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (return_call $plus1000 (local.get 0)))
      (unreachable))
    (i32.add (i32.const 1000000)))

  (func (export "return_call_indirect_returns") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (return_call_indirect (type $i_i) (local.get 0) (i32.const 1)))
      (unreachable))
    (i32.add (i32.const 1000000)))
)
