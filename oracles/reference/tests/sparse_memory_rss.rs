//! A declared 8 GiB memory64 touched at a few addresses above 4 GiB runs in under 50 MB of peak resident memory (its own process, so the peak is its own).

mod common;

use common::{Instance, i32, i64};
use reference::exec::Value;

/// The process's peak resident set size in bytes, from `/proc/self/status`.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[test]
fn an_eight_gib_memory64_touched_above_4_gib_stays_under_50_mb() {
    let mut m = Instance::new(
        r#"(module
          (memory (export "m") i64 131072)
          (func (export "st") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
          (func (export "ld") (param i64) (result i64) (i64.load (local.get 0)))
          (func (export "fill") (param i64 i32 i64) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
          (func (export "copy") (param i64 i64 i64) (memory.copy (local.get 0) (local.get 1) (local.get 2))))"#,
    );
    let addrs = [
        (4i64 << 30) + 8,
        (5 << 30) + 12345,
        (6 << 30) - 3,
        (7 << 30) + (1 << 20),
        (8 << 30) - 8,
    ];
    // A bulk operation over GiB of zeros first, then the stores.
    m.call("fill", &[i64(1 << 32), i32(0), i64(3 << 30)])
        .unwrap();
    for (i, a) in addrs.iter().enumerate() {
        m.call("st", &[i64(*a), i64(i as i64 + 100)]).unwrap();
    }
    for (i, a) in addrs.iter().enumerate() {
        assert_eq!(
            m.call("ld", &[i64(*a)]),
            Ok(vec![Value::I64(i as i64 + 100)])
        );
    }
    // A copy of a small range up high.
    m.call(
        "copy",
        &[i64((7 << 30) + 5), i64((5 << 30) + 12345), i64(8)],
    )
    .unwrap();
    assert_eq!(
        m.call("ld", &[i64((7 << 30) + 5)]),
        Ok(vec![Value::I64(101)])
    );
    // Reading the whole memory the way a snapshot digests it touches only present pages.
    let mut sum = 0u64;
    m.memory("m")
        .for_each_present(|_, bytes| sum += bytes.iter().map(|&b| u64::from(b)).sum::<u64>());
    assert!(sum > 0);
    let peak = peak_rss().expect("/proc/self/status is readable");
    eprintln!("peak RSS {} KiB", peak >> 10);
    assert!(peak < 50 << 20, "peak RSS {} MiB", peak >> 20);
}
