//! `catchall run FILE`: one module (or .wast script) on every engine, compared step by step,
//! shown side by side or as JSON.

use crate::cli::{EXIT_FINDING, engines};
use crate::generate::args::arg_sets;
use crate::report::Table;
use anyhow::{Context, bail};
use oracles::compare::{ComparePolicy, NanPolicy, Verdict};
use oracles::differential::{Plan, RunOptions, run_case};
use oracles::{ItemKind, Limits, ModuleInfo, ValType};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The long help of the subcommand (`--help`).
pub const LONG_ABOUT: &str = "Runs one file on every selected engine and compares them step by step.\n\n\
A .wasm or .wat module is instantiated on every engine that supports the proposals it uses, then \
every exported function is called: first with all-zero arguments, then with --arg-sets argument \
sets derived from --seed and biased towards boundary values. After every step the state of every \
memory, global and table is compared too.\n\n\
A .wast script's module, register, invoke and assertion actions are performed on every engine and \
the engines are compared action by action (checking the script's own expectations is `catchall \
spec`'s job).\n\n\
A finding folder saved by `catchall fuzz` (findings/<bucket>/case-<seed>-<index>) reruns the exact \
bytes and invocation plan of the finding: its `reproduce` command.\n\n\
With --target NAME, FILE is a libFuzzer input of that fuzz target (a crash file from `cargo \
fuzz run NAME`, a corpus entry): it is turned into the same case as the fuzz target makes of it \
and run with the report shown side by side; --save DIR also writes a generated case as a finding \
folder that `catchall reduce` and `catchall triage` accept. Targets: differential, exceptions, \
memory64, idioms, reference, wast.\n\n\
Exit status: 0 when the engines agree (or the case is poisoned by spec-permitted \
nondeterminism), 1 on a divergence, 2 on bad input.";

/// Arguments of `catchall run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The .wasm, .wat or .wast file to run, or a finding folder saved by `catchall fuzz`
    /// (which reruns its exact module and invocation plan; --arg-sets and --seed do not apply).
    pub file: PathBuf,
    /// Comma-separated engines to run (default: every engine built in).
    #[arg(long, value_name = "A,B,..")]
    pub engines: Option<String>,
    /// Argument sets per exported function, after the all-zero one.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub arg_sets: usize,
    /// Seed for the argument sets.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Fuel for each step (instantiation or call).
    #[arg(long, default_value_t = Limits::default().fuel)]
    pub fuel: u64,
    /// NaN comparison: `exact` bits, or `arithmetic` (two quiet NaNs with different payloads
    /// poison the case as spec-permitted nondeterminism).
    #[arg(long, value_enum, default_value_t = NanArg::Arithmetic)]
    pub nan: NanArg,
    /// Print one JSON document on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Read FILE as a libFuzzer input of this fuzz target (differential, exceptions,
    /// memory64, idioms, reference, wast) and replay the case the target makes of it.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
    /// With --target: save the replayed case as a finding folder under DIR (generated-case
    /// targets only: differential, exceptions, memory64, idioms).
    #[arg(long, value_name = "DIR", requires = "target")]
    pub save: Option<PathBuf>,
}

/// NaN comparison policies on the command line.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum NanArg {
    /// NaN bits must be identical.
    Exact,
    /// Differing quiet-NaN payloads poison the case.
    Arithmetic,
}

impl From<NanArg> for NanPolicy {
    fn from(n: NanArg) -> NanPolicy {
        match n {
            NanArg::Exact => NanPolicy::Exact,
            NanArg::Arithmetic => NanPolicy::ArithmeticPoisons,
        }
    }
}

/// What a file turned out to hold.
pub enum Input {
    /// A module's binary encoding.
    Module(Vec<u8>),
    /// A .wast script's text.
    Script(String),
    /// A finding folder saved by `catchall fuzz`: the exact bytes the engines ran and the
    /// invocation plan.
    Finding(crate::campaign::findings::SavedCase),
}

/// Reads a .wasm, .wat or .wast file; anything else, or a module that does not decode or
/// validate, is an error naming the file.
pub fn load(path: &Path) -> anyhow::Result<Input> {
    if path.is_dir() {
        if !path.join("module.wasm").exists() {
            bail!(
                "{}: is a folder but not a finding (no module.wasm; pass a case folder such as \
                 findings/<bucket>/case-<seed>-<index>)",
                path.display()
            );
        }
        let saved = crate::campaign::findings::load_case(path)?;
        check_module(&saved.wasm)
            .with_context(|| path.join("module.wasm").display().to_string())?;
        return Ok(Input::Finding(saved));
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let name = path.display();
    let wasm = if bytes.starts_with(b"\0asm") {
        bytes
    } else if ext == "wasm" {
        bail!("{name}: not a WebAssembly binary (no \\0asm header)");
    } else {
        let Ok(text) = String::from_utf8(bytes) else {
            bail!("{name}: not a .wasm, .wat or .wast file (binary data without a wasm header)");
        };
        match ext {
            "wast" => return Ok(Input::Script(text)),
            "wat" => wat::parse_str(&text).map_err(|mut e| {
                e.set_path(path);
                anyhow::anyhow!("{}", wat_error_line(&e.to_string()))
            })?,
            _ => bail!("{name}: not a .wasm, .wat or .wast file"),
        }
    };
    check_module(&wasm).with_context(|| name.to_string())?;
    Ok(Input::Module(wasm))
}

/// A text-format error (message, then a `--> file:line:col` pointer and a source excerpt) as
/// one line: `file:line:col: message`.
fn wat_error_line(rendered: &str) -> String {
    let message = rendered.lines().next().unwrap_or_default().trim();
    match rendered
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("--> "))
    {
        Some(location) => format!("{}: {message}", location.trim()),
        None => rendered.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// Decodes and validates a module with every proposal enabled: the input must be a module some
/// engine could run.
fn check_module(wasm: &[u8]) -> anyhow::Result<()> {
    if let Err(e) = ModuleInfo::parse(wasm) {
        bail!("{e}");
    }
    let mut validator = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
    if let Err(e) = validator.validate_all(wasm) {
        bail!(
            "invalid module: {} (at offset {:#x})",
            e.message(),
            e.offset()
        );
    }
    Ok(())
}

/// The invocation plan of `catchall run`: every exported function, with the all-zero argument
/// set and then `sets` argument sets from `seed`.
pub fn plan_for(info: &ModuleInfo, sets: usize, seed: u64) -> Plan {
    let funcs = info.count(ItemKind::Func);
    let mut plan = Plan::default();
    for (i, (name, _, sig)) in info.exported_funcs().enumerate() {
        let Some(params) = sig.and_then(|s| s.known_params()) else {
            continue;
        };
        let params: Vec<ValType> = params;
        for args in arg_sets(&params, seed.wrapping_add(i as u64), sets, funcs) {
            plan.calls.push(oracles::differential::Call {
                func: name.to_string(),
                args,
            });
        }
    }
    // Functions without parameters behave the same on every call with the same state; keep
    // one call per argument set anyway: state changes between calls are part of the test.
    plan
}

/// Runs `catchall run`.
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    if let Some(target) = &args.target {
        return run_target(&args, target);
    }
    let input = load(&args.file)?;
    let engines = engines::select(args.engines.as_deref())?;
    let engine_refs: Vec<&dyn oracles::Engine> = engines.iter().map(|e| e.as_ref()).collect();
    let options = RunOptions {
        limits: Limits {
            fuel: args.fuel,
            ..Limits::default()
        },
        policy: ComparePolicy {
            nan: args.nan.into(),
        },
        continue_after_verdict: true,
    };
    let table = match input {
        Input::Module(wasm) => {
            let exposed =
                oracles::expose::expose(&wasm).with_context(|| args.file.display().to_string())?;
            let info = ModuleInfo::parse(&wasm)?;
            let plan = plan_for(&info, args.arg_sets, args.seed);
            let case = run_case(&engine_refs, &exposed, &plan, &options);
            module_table(&args.file, &case)
        }
        Input::Finding(saved) => {
            // The saved bytes are the exposed module the engines ran: run them as they are.
            let case = run_case(&engine_refs, &saved.wasm, &saved.plan, &options);
            module_table(&args.file, &case)
        }
        Input::Script(text) => {
            crate::cli::run_wast::run_script(&args.file, &text, &engine_refs, &options, true)?
        }
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&table.to_json())?);
    } else {
        print!("{}", table.render());
    }
    Ok(match table.verdict {
        Verdict::Diverge(_) => ExitCode::from(EXIT_FINDING),
        _ => ExitCode::SUCCESS,
    })
}

/// The report table of a module run.
pub fn module_table(file: &Path, case: &oracles::CaseReport) -> Table {
    Table::from_case(&file.display().to_string(), case)
}

/// `catchall run FILE --target NAME`: FILE is a libFuzzer input of fuzz target NAME, replayed
/// through the target's own derivation (`catchall::fuzzing`).
fn run_target(args: &RunArgs, name: &str) -> anyhow::Result<ExitCode> {
    use crate::fuzzing::{Target, cases, input_hash, reference, wast};
    let Some(target) = Target::from_name(name) else {
        bail!(
            "unknown fuzz target `{name}` (targets: {})",
            Target::all_names()
        );
    };
    let data = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    if args.save.is_some() && matches!(target, Target::Reference | Target::Wast) {
        bail!(
            "--save applies to the generated-case targets (differential, exceptions, memory64, idioms), not to {target}"
        );
    }
    oracles::differential::quiet_panics(true);
    let engines = engines::select(args.engines.as_deref())?;
    let engine_refs: Vec<&dyn oracles::Engine> = engines.iter().map(|e| e.as_ref()).collect();
    let title = format!(
        "{} (fuzz target {target}, input of {} bytes, hash {:016x})",
        args.file.display(),
        data.len(),
        input_hash(&data)
    );
    match target {
        Target::Reference => {
            let verdict = reference::check(&data);
            match &verdict {
                Ok(ran) => println!("{title}\nreference: {ran:?}"),
                Err(v) => println!("{title}\nreference: VIOLATION: {v}"),
            }
            Ok(if verdict.is_err() {
                ExitCode::from(EXIT_FINDING)
            } else {
                ExitCode::SUCCESS
            })
        }
        Target::Wast => {
            let Some(assembled) = wast::assemble(&data, &engine_refs) else {
                println!("{title}\nthe input picked no script (its files have no module)");
                return Ok(ExitCode::SUCCESS);
            };
            let run_on = wast::engines_for(&assembled, &engine_refs);
            let options = RunOptions {
                limits: Limits {
                    fuel: args.fuel,
                    ..Limits::default()
                },
                policy: ComparePolicy::default(),
                continue_after_verdict: true,
            };
            let path = PathBuf::from(format!("{}.wast", args.file.display()));
            let table =
                crate::cli::run_wast::run_script(&path, &assembled.text, &run_on, &options, false)?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&table.to_json())?);
            } else {
                println!("{title}\nfrom: {}", assembled.files.join(", "));
                if !assembled.excluded.is_empty() {
                    println!(
                        "left out (their ledgers list failures of these files): {}",
                        assembled.excluded.join(", ")
                    );
                }
                println!("---- script ----\n{}---- end ----", assembled.text);
                print!("{}", table.render());
            }
            Ok(match table.verdict {
                Verdict::Diverge(_) => ExitCode::from(EXIT_FINDING),
                _ => ExitCode::SUCCESS,
            })
        }
        Target::Differential | Target::Exceptions | Target::Memory64 | Target::Idioms => {
            let (profile, run) = cases::replay(target, &data, &engine_refs, true)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let known = crate::campaign::known::classify(
                &engine_refs,
                &run.wasm,
                &run.case.plan,
                &run.options,
                &run.report,
            );
            let key = match (&run.report.verdict, known) {
                (Verdict::Diverge(_), Some(bug)) => Some(triage::key::BucketKey::known(bug.name)),
                (Verdict::Diverge(d), None) => Some(triage::key::BucketKey::of(d)),
                _ => None,
            };
            let table = Table::from_case(&title, &run.report);
            if args.json {
                println!("{}", serde_json::to_string_pretty(&table.to_json())?);
            } else {
                println!(
                    "profile {profile}, generator {} ({})",
                    run.case.generator, run.case.config
                );
                print!("{}", table.render());
                match &key {
                    Some(k) => println!("bucket: {k}"),
                    None => println!("bucket: none ({})", run.report.verdict.name()),
                }
            }
            if let (Some(dir), Some(key)) = (&args.save, &key) {
                let saved =
                    save_fuzz_finding(dir, target, profile, &data, &run, &engine_refs, key, known)?;
                eprintln!("saved {}", saved.display());
            } else if args.save.is_some() {
                eprintln!("nothing saved: the engines do not diverge on this input");
            }
            Ok(match key {
                Some(_) => ExitCode::from(EXIT_FINDING),
                None => ExitCode::SUCCESS,
            })
        }
    }
}

/// Saves a replayed fuzzer input's case in the findings store under `dir` (case
/// `case-<input hash>-0`), with `finding.json`'s regeneration command pointing at the input.
#[allow(
    clippy::too_many_arguments,
    reason = "one call site, every argument a different part of the finding"
)]
fn save_fuzz_finding(
    dir: &Path,
    target: crate::fuzzing::Target,
    profile: crate::generate::Profile,
    data: &[u8],
    run: &crate::campaign::CaseRun,
    engines: &[&dyn oracles::Engine],
    key: &triage::key::BucketKey,
    known: Option<&crate::campaign::known::KnownBug>,
) -> anyhow::Result<PathBuf> {
    use crate::campaign::findings::{Finding, FindingsStore};
    let store = FindingsStore::open(dir).with_context(|| dir.display().to_string())?;
    let engine_list = crate::fuzzing::engine_list(engines);
    let seed = crate::fuzzing::input_hash(data);
    let finding = Finding {
        seed,
        index: 0,
        profile: profile.name(),
        generator: run.case.generator.name(),
        config: &run.case.config,
        wasm: &run.wasm,
        plan: &run.case.plan,
        report: &run.report,
        engines: &engine_list,
        nan: run.options.policy.nan,
        fuel: run.options.limits.fuel,
        known: known.map(|b| (b.name, b.regression)),
    };
    let Some(saved) = store
        .save(&finding, key)
        .with_context(|| dir.display().to_string())?
    else {
        bail!(
            "{}: its bucket {} already holds the most cases kept per bucket",
            dir.display(),
            key.dir_name()
        );
    };
    // The case came from a fuzzer input, not from a campaign seed: say how to regenerate it.
    let mut doc = triage::finding::load_doc(&saved.dir)?;
    doc.regenerate = format!(
        "catchall run <input with hash {seed:016x}> --target {target} --engines {engine_list}"
    );
    triage::finding::write_atomic(
        &saved.dir.join("finding.json"),
        triage::finding::pretty(&doc).as_bytes(),
    )?;
    Ok(saved.dir)
}
