;; An exception thrown behind `call_indirect` unwinds through several frames (indirect, direct,
;; indirect) to a handler three calls up, or escapes to the host; the code after each call in
;; the unwound frames never runs.
;;
;; Why: indirect calls go through a signature check and a different call sequence than direct
;; calls; an unwinder that misreads such a frame (its return address, its saved registers or
;; the callee's entry trampoline) loses the exception or resumes in the wrong frame. Each
;; frame adds to the payload before passing it down, so the value caught proves which frames
;; ran, and a global written after each call proves none of them resumed.
;;
;; expect: instantiate => ok
;; expect: escape_indirect(i32:3) => exn $e(i32:3)
;; expect: catch_through_frames(i32:100) => i32:111
;; expect: resumed() => i32:0
;; expect: escape_through_frames(i32:200) => exn $e(i32:211)
;; expect: resumed() => i32:0
;; expect: indirect_index(i32:2) => i32:7
;; expect: indirect_index(i32:3) => trap null-element
;; expect: indirect_index(i32:4) => trap table-oob
(module
  (type $i_i (func (param i32) (result i32)))
  (tag $e (export "e") (param i32))
  (global $resumed (mut i32) (i32.const 0))
  (table 4 funcref)
  (elem (i32.const 0) $thrower $middle $seven)

  (func (export "resumed") (result i32) (global.get $resumed))

  (func $thrower (param i32) (result i32)
    (throw $e (local.get 0)))

  ;; table[1]: adds 1, calls $deeper directly.
  (func $middle (param i32) (result i32)
    (call $deeper (i32.add (local.get 0) (i32.const 1)))
    (global.set $resumed (i32.const 1)))

  ;; adds 10, calls table[0] indirectly.
  (func $deeper (param i32) (result i32)
    (call_indirect (type $i_i) (i32.add (local.get 0) (i32.const 10)) (i32.const 0))
    (global.set $resumed (i32.const 2)))

  (func $seven (param i32) (result i32) (i32.const 7))

  (func (export "escape_indirect") (param i32) (result i32)
    (call_indirect (type $i_i) (local.get 0) (i32.const 0)))

  (func (export "catch_through_frames") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h)
        (call_indirect (type $i_i) (local.get 0) (i32.const 1))
        (global.set $resumed (i32.const 3))
        (return))
      (unreachable)))

  (func (export "escape_through_frames") (param i32) (result i32)
    (call_indirect (type $i_i) (local.get 0) (i32.const 1))
    (global.set $resumed (i32.const 4)))

  (func (export "indirect_index") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h)
        (return (call_indirect (type $i_i) (i32.const 0) (local.get 0)))))
    (i32.const -1))
)
