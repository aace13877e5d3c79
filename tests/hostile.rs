//! Hostile input to every command: 10,000 malformed, truncated and adversarial inputs from a fixed seed (bad wasm, bad text, scripts with malformed directives, broken finding folders, absurd flag values), each through the CLI as a library call; none may panic, and each bad one ends with one error line and exit status 2.

use catchall::cli::execute;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A small deterministic generator (xorshift64*), so the inputs are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn scratch() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// Valid modules to truncate and corrupt.
fn valid_modules() -> Vec<Vec<u8>> {
    let texts = [
        r#"(module (func (export "f") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))"#,
        r#"(module (memory (export "m") 1) (data (i32.const 0) "hello")
             (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))"#,
        r#"(module (tag $t (param i32))
             (func (export "t") (result i32)
               (block $h (result i32) (try_table (catch $t $h) (throw $t (i32.const 7))) (i32.const 0))))"#,
        r#"(module (memory i64 1 2) (global (mut i64) (i64.const 3))
             (table 2 funcref) (elem (i32.const 0) func $a $a)
             (func $a (export "a") (result i64) (memory.grow (i64.const 1))))"#,
    ];
    texts
        .iter()
        .map(|t| wat::parse_str(t).expect("a valid module"))
        .collect()
}

/// Bad wasm: random bytes, a header and garbage, a truncated or corrupted valid module.
fn bad_wasm(rng: &mut Rng, valid: &[Vec<u8>]) -> Vec<u8> {
    match rng.below(5) {
        0 => {
            let n = rng.below(64);
            rng.bytes(n)
        }
        1 => {
            let mut b = b"\0asm\x01\0\0\0".to_vec();
            let n = rng.below(48);
            b.extend(rng.bytes(n));
            b
        }
        2 => {
            let m = rng.pick(valid);
            // Strictly shorter, past the header: never the whole module.
            let cut = 8 + rng.below(m.len().saturating_sub(9).max(1));
            m[..cut.min(m.len() - 1)].to_vec()
        }
        3 => {
            let mut m = rng.pick(valid).clone();
            let at = rng.below(m.len());
            m[at] ^= 1 << rng.below(8);
            m
        }
        _ => {
            let mut b = b"\0asm".to_vec();
            b.extend(rng.bytes(4));
            b
        }
    }
}

/// Bad text: unbalanced, unknown instructions, truncated, binary noise.
fn bad_text(rng: &mut Rng) -> String {
    let pieces = [
        "(module",
        "(module (func (result i32) (i32.add)))",
        "(module (func (export \"f\") (frobnicate)))",
        "(module (memory i64 1 0))",
        "(module (func $f (call $nope)))",
        "(module (type (func)) (func (type 99)))",
        "((((((((",
        ")",
        "(module (data \"\\zz\"))",
        "(module (global i32 (i64.const 0)))",
        "(module (export \"a\" (func 0)) (export \"a\" (func 0)) (func))",
        "\u{0}\u{1}\u{2}",
    ];
    let mut s = rng.pick(&pieces[..]).to_string();
    if rng.below(2) == 0 {
        let cut = rng.below(s.len().max(1));
        s.truncate(s.floor_char_boundary(cut));
        if s.trim().is_empty() {
            s = "(".into();
        }
    }
    s
}

/// Scripts with a malformed directive (each directive kind, broken).
fn bad_script(rng: &mut Rng) -> String {
    let module = "(module (func (export \"f\") (param i32) (result i32) (local.get 0)))";
    let directives = [
        "(assert_return (invoke \"f\" (i32.const)) (i32.const 1))",
        "(assert_return (invoke \"nope\" (i32.const 1)) (i32.const 1))",
        "(assert_trap (invoke \"f\") \"unreachable\")",
        "(assert_trap (invoke \"f\" (i32.const 1)))",
        "(assert_invalid (module (func (result i32))))",
        "(assert_malformed (module quote \"(func\") )",
        "(assert_malformed (module binary \"\\00asm\"))",
        "(assert_exception (invoke))",
        "(register)",
        "(register \"m\" $nope)",
        "(invoke \"f\" (i64.const x))",
        "(assert_return (invoke \"f\" (i32.const 1)) (f32.const nan:0xzz))",
        "(module $m binary \"\\00\\61\\73\")",
        "(assert_unlinkable (module (import \"x\" \"y\" (func))) )",
        "(assert_exhaustion (invoke \"f\" (i32.const 1)))",
        "(get \"nope\")",
        "(thread $t)",
        "(assert_return (invoke \"f\" (i32.const 1)) (i32.const 1)",
    ];
    let mut s = String::from(module);
    s.push('\n');
    let directive = rng.pick(&directives[..]).to_string();
    s.push_str(&directive);
    s.push('\n');
    if rng.below(3) == 0 {
        let cut = rng.below(s.len());
        s.truncate(s.floor_char_boundary(cut.max(module.len() + 2)));
    }
    s
}

/// A finding folder with a file missing, truncated or corrupt.
fn bad_finding(rng: &mut Rng, dir: &Path, valid: &[Vec<u8>]) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("a finding folder");
    let wasm = rng.pick(valid).clone();
    let finding = r#"{"format": 1, "verdict": "diverge", "bucket": "value-mismatch|expected=i32|dissent=wasmi", "seed": 1, "case": 2, "profile": "mixed", "engines": [{"name": "reference", "version": ""}, {"name": "wasmi", "version": ""}], "reproduce": "x", "regenerate": "y"}"#;
    let plan = r#"{"entries": [{"export": "f", "args": [["i32:1"]]}]}"#;
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("module.wasm", wasm),
        ("plan.json", plan.as_bytes().to_vec()),
        ("finding.json", finding.as_bytes().to_vec()),
    ];
    let victim = rng.below(files.len());
    match rng.below(4) {
        0 => {
            files.remove(victim);
        }
        1 => {
            let f = &mut files[victim].1;
            let cut = rng.below(f.len());
            f.truncate(cut);
        }
        2 => {
            let n = rng.below(40);
            files[victim].1 = rng.bytes(n);
        }
        _ => {
            files[victim].1 = b"{}".to_vec();
        }
    }
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).expect("a file");
    }
}

/// Absurd flag values for every command (every value below is invalid for every flag it is
/// given to: none of these command lines may start a campaign).
fn absurd_flags(rng: &mut Rng) -> Vec<String> {
    let numbers = [
        "-1",
        "99999999999999999999999",
        "NaN",
        "1e400",
        "",
        "0x",
        "--",
        "\u{202e}",
    ];
    let n = rng.pick(&numbers[..]).to_string();
    let lines: [Vec<&str>; 14] = [
        vec!["fuzz", "--cases", &n],
        vec!["fuzz", "--jobs", "0", "--cases", "1"],
        vec!["fuzz", "--seed", &n, "--case", "1"],
        vec!["fuzz", "--seed", "1", "--case", &n],
        vec!["fuzz", "--time", &n],
        vec!["fuzz", "--step-timeout", "0s", "--cases", "1"],
        vec!["fuzz", "--worker-memory", &n, "--cases", "1"],
        vec!["fuzz", "--profile", &n],
        vec!["fuzz", "--engines", ",,,", "--cases", "1"],
        vec!["fuzz", "--resume", "/nonexistent/catchall/campaign"],
        vec!["run", "/nonexistent/file.wasm"],
        vec!["run", "x.wasm", "--fuel", &n],
        vec!["reduce", "/nonexistent/finding", "--time", &n],
        vec!["triage", "/nonexistent/findings", "--jobs", &n],
    ];
    let line = rng.pick(&lines[..]);
    line.iter().map(|s| s.to_string()).collect()
}

#[test]
fn ten_thousand_hostile_inputs_never_panic_and_bad_ones_exit_2_with_one_line() {
    let dir = scratch();
    let valid = valid_modules();
    let mut rng = Rng(0x005e_ed0f_ca7c_4a11);
    let total = 10_000;
    let (mut panics, mut bad, mut accepted) = (Vec::new(), 0usize, 0usize);
    let mut kinds = [0usize; 7];
    let mut accepted_by_kind = [0usize; 7];
    for i in 0..total {
        let kind = rng.below(7);
        kinds[kind] += 1;
        let (args, must_fail): (Vec<String>, bool) = match kind {
            0 => {
                let p = dir.join(format!("in-{}.wasm", i % 8));
                std::fs::write(&p, bad_wasm(&mut rng, &valid)).expect("write");
                (
                    vec![
                        "run".into(),
                        p.display().to_string(),
                        "--engines".into(),
                        "reference,wasmi".into(),
                    ],
                    false,
                )
            }
            1 => {
                let p = dir.join(format!("in-{}.wat", i % 8));
                std::fs::write(&p, bad_text(&mut rng)).expect("write");
                (
                    vec![
                        "run".into(),
                        p.display().to_string(),
                        "--engines".into(),
                        "reference,wasmi".into(),
                    ],
                    true,
                )
            }
            2 => {
                let p = dir.join(format!("in-{}.wast", i % 8));
                std::fs::write(&p, bad_script(&mut rng)).expect("write");
                (
                    vec![
                        "run".into(),
                        p.display().to_string(),
                        "--engines".into(),
                        "reference,wasmi".into(),
                    ],
                    false,
                )
            }
            3 => {
                let p = dir.join(format!("finding-{}", i % 8));
                bad_finding(&mut rng, &p, &valid);
                let command = if rng.below(2) == 0 { "run" } else { "reduce" };
                let mut args = vec![command.to_string(), p.display().to_string()];
                if command == "run" {
                    args.extend(["--engines".to_string(), "reference,wasmi".to_string()]);
                } else {
                    args.extend(["--time".to_string(), "1s".to_string()]);
                }
                (args, command == "reduce")
            }
            4 => {
                let p = dir.join(format!("findings-{}", i % 8));
                let _ = std::fs::remove_dir_all(&p);
                std::fs::create_dir_all(p.join("value-mismatch-x")).expect("mkdir");
                bad_finding(&mut rng, &p.join("value-mismatch-x/case-1-2"), &valid);
                let n = rng.below(40);
                std::fs::write(p.join("value-mismatch-x/bucket.json"), rng.bytes(n))
                    .expect("write");
                (
                    vec![
                        "triage".into(),
                        p.display().to_string(),
                        "--time".into(),
                        "1s".into(),
                    ],
                    false,
                )
            }
            5 => {
                let p = dir.join(format!("spec-{}.wast", i % 8));
                std::fs::write(&p, bad_script(&mut rng)).expect("write");
                (
                    vec![
                        "spec".into(),
                        "--engines".into(),
                        "reference".into(),
                        p.display().to_string(),
                    ],
                    false,
                )
            }
            _ => (absurd_flags(&mut rng), true),
        };
        let argv: Vec<String> = std::iter::once("catchall".to_string())
            .chain(args.clone())
            .collect();
        let run = std::panic::catch_unwind(|| execute(argv));
        // A campaign or a finding rerun may leave engine panics silenced; this test's own
        // assertions must be heard.
        oracles::differential::quiet_panics(false);
        match run {
            Err(payload) => {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                panics.push(format!("`{}`: {message}", args.join(" ")));
            }
            Ok(e) if e.code == ExitCode::from(2) => {
                bad += 1;
                let line = e.error.unwrap_or_default();
                assert!(
                    !line.is_empty() && !line.contains('\n'),
                    "`{}`: not one error line: {line:?}",
                    args.join(" ")
                );
            }
            Ok(e) => {
                assert!(
                    !must_fail,
                    "`{}` was accepted ({:?}) but is malformed",
                    args.join(" "),
                    e.code
                );
                accepted += 1;
                accepted_by_kind[kind] += 1;
            }
        }
    }
    eprintln!(
        "{total} hostile inputs (by kind: {kinds:?}): {bad} rejected with exit 2, {accepted} \
         accepted as valid (by kind: {accepted_by_kind:?}), {} panics",
        panics.len()
    );
    assert!(
        panics.is_empty(),
        "{} panics, e.g. {:?}",
        panics.len(),
        &panics[..panics.len().min(5)]
    );
}
