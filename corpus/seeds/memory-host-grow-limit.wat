;; The host's memory limits, applied identically by every engine: a memory that is not empty
;; may grow to at most 1 GiB (`Limits::max_grow_bytes`), while a declared size and a grow of an
;; empty memory are bounded only by the 16 GiB memory limit; a refused grow returns -1 in the
;; memory's index type and changes nothing.
;;
;; Why: the spec lets `memory.grow` fail for host reasons, so engines are comparable only if
;; they refuse the same grows. Growing a non-empty memory can move it (wasmtime copies a memory
;; that outgrows its reservation, and cranelift-explicit reserves nothing), touching every
;; page, whereas declared memory is mapped lazily; this limit keeps a campaign's resident
;; memory bounded without giving up memories above 4 GiB. Fuel must not depend on the size of
;; a grow either (wasmi charges per byte by default; catchall's configuration does not).
;;
;; expect: instantiate => ok
;; expect: grow_a(i64:16384) => i64:-1
;; expect: grow_a(i64:16383) => i64:1
;; expect: grow_b(i64:20000) => i64:0
;; expect: grow_b(i64:1) => i64:-1
;; expect: size_b() => i64:20000
;; expect: grow_c(i64:1) => i64:-1
;; expect: grow_c(i64:0) => i64:65600
;; expect: grow_small(i32:16383) => i32:1
;; expect: grow_small(i32:1) => i32:-1
(module
  (memory $a (export "a") i64 1)
  (memory $b (export "b") i64 0)
  (memory $c (export "c") i64 65600)
  (memory $d (export "d") 1)
  (func (export "grow_a") (param i64) (result i64) (memory.grow $a (local.get 0)))
  (func (export "grow_b") (param i64) (result i64) (memory.grow $b (local.get 0)))
  (func (export "grow_c") (param i64) (result i64) (memory.grow $c (local.get 0)))
  (func (export "size_b") (result i64) (memory.size $b))
  (func (export "grow_small") (param i32) (result i32) (memory.grow $d (local.get 0)))
)
