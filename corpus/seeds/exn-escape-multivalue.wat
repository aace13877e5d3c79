;; An exception escapes to the host with a four-value payload (i32, i64, f32, f64).
;;
;; Why: the host must read back every field of the exception object, in the tag's parameter
;; order and with exact bits. Each engine packs a payload into an exception object with its own
;; layout (wasmtime keeps it in a GC-heap object): a field written at the wrong offset or width,
;; a swapped pair or a float that is canonicalized on the way shows up here. Two calls carry
;; signalling NaNs, which a payload must preserve bit for bit (`throw` is not an arithmetic
;; operation), one of them passed in from the host. The last calls catch the same payloads
;; inside wasm and return them, so the unpacking path of `catch` is checked against the host's
;; view of the same object.
;;
;; expect: instantiate => ok
;; expect: throw_all(i32:7) => exn $e(i32:7, i64:-9223372036854775808, f32:0x3fc00000, f64:0x8000000000000000)
;; expect: throw_nans() => exn $e(i32:-1, i64:-1, f32:0x7fa00001, f64:0xfff4000000000001)
;; expect: throw_args(i32:1, i64:2, f32:0xff800001, f64:0x7ff0000000000001) => exn $e(i32:1, i64:2, f32:0xff800001, f64:0x7ff0000000000001)
;; expect: catch_all_fields(i32:-5) => i32:-5, i64:-9223372036854775808, f32:0x3fc00000, f64:0x8000000000000000
;; expect: catch_nans() => i32:-1, i64:-1, f32:0x7fa00001, f64:0xfff4000000000001
(module
  (tag $e (export "e") (param i32 i64 f32 f64))

  (func $throw_all (export "throw_all") (param i32)
    (throw $e (local.get 0) (i64.const -9223372036854775808) (f32.const 1.5) (f64.const -0.0)))

  (func $throw_nans (export "throw_nans")
    (throw $e (i32.const -1) (i64.const -1) (f32.const nan:0x200001) (f64.const -nan:0x4000000000001)))

  (func (export "throw_args") (param i32 i64 f32 f64)
    (throw $e (local.get 0) (local.get 1) (local.get 2) (local.get 3)))

  (func (export "catch_all_fields") (param i32) (result i32 i64 f32 f64)
    (block $h (result i32 i64 f32 f64)
      (try_table (catch $e $h)
        (call $throw_all (local.get 0)))
      (unreachable)))

  (func (export "catch_nans") (result i32 i64 f32 f64)
    (block $h (result i32 i64 f32 f64)
      (try_table (catch $e $h)
        (call $throw_nans))
      (unreachable)))
)
