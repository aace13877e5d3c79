//! Parsing a `.wast` script into engine-neutral commands: module bytes, argument values and expectations.
//!
//! Every directive of the official test suite becomes one [`Command`] carrying its line, its
//! module bytes (text modules are encoded here, once, for every engine), its arguments as
//! [`Val`]s and its expectation. Nothing here knows about engines.
//!
//! Two things are decided at parse time rather than by an engine:
//! - a `module quote` (or a text module inside `assert_malformed` / `assert_invalid`) whose text
//!   does not parse or encode is kept as a [`TextRejection`]: the text format rejected it, which
//!   is itself the malformed (or invalid) result the assertion asks for;
//! - directives and values outside catchall's vocabulary (components, threads, GC references)
//!   become [`CommandKind::Unsupported`], which the runner counts as skipped.
//!
//! `assert_uninstantiable`, which the current `wast` crate no longer parses, is read as well.

use oracles::{Features, ModuleInfo, Val, ValType};
use std::collections::HashSet;
use std::fmt;
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::parser::ParseBuffer;
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

/// A `.wast` script that could not be parsed; displays as `file:line:col: message`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{col}: {message}")]
pub struct ParseError {
    /// The script's path as given.
    pub file: String,
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1.
    pub col: u32,
    /// What is wrong.
    pub message: String,
}

/// A parsed script: its path and its commands in order.
#[derive(Clone, Debug)]
pub struct Script {
    /// The path the script was read from (as the caller named it).
    pub file: String,
    /// The commands, in file order.
    pub commands: Vec<Command>,
}

impl Script {
    /// The proposals used by the modules this script expects to be valid: every module that is
    /// defined, instantiated, or expected to fail only at link or run time. Modules expected to
    /// be invalid or malformed do not count, so that a negative test does not make a file look
    /// like it needs a proposal.
    pub fn features(&self) -> Features {
        let mut features = Features::NONE;
        for m in self.valid_modules() {
            features.insert(m.features);
        }
        features
    }

    /// The modules this script expects to be valid (see [`Script::features`]).
    pub fn valid_modules(&self) -> impl Iterator<Item = &ScriptModule> {
        self.commands.iter().filter_map(|c| c.kind.valid_module())
    }

    /// The number of commands.
    pub fn len(&self) -> usize {
        self.commands.len()
    }

    /// Whether the script has no commands.
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }
}

/// One directive of a script.
#[derive(Clone, Debug)]
pub struct Command {
    /// The directive's line, from 1.
    pub line: u32,
    /// What it does and expects.
    pub kind: CommandKind,
}

/// The directives.
#[derive(Clone, Debug)]
pub enum CommandKind {
    /// `module`: define and instantiate; the instance becomes the current one and is bound to
    /// the module's name, if it has one. Expected to succeed.
    Module(ScriptModule),
    /// `module definition`: compile only, binding the definition to its name. Expected to
    /// succeed.
    ModuleDefinition(ScriptModule),
    /// `module instance $I $M`: instantiate a definition (the last one when unnamed); the
    /// instance becomes the current one. Expected to succeed.
    ModuleInstance {
        /// The instance's name.
        instance: Option<String>,
        /// The definition's name.
        definition: Option<String>,
    },
    /// `register "name" $M`: make an instance importable as `name`.
    Register {
        /// The import module name.
        name: String,
        /// The instance (the current one when `None`).
        instance: Option<String>,
    },
    /// A bare `invoke` or `get`: expected to complete.
    Action(Action),
    /// `assert_return`: the action returns values matching the patterns.
    AssertReturn {
        /// What to run.
        action: Action,
        /// One pattern per result.
        expected: Vec<Expected>,
    },
    /// `assert_trap`: the action (or the module's instantiation) traps.
    AssertTrap {
        /// What to run.
        action: Action,
        /// The spec interpreter's message.
        message: String,
    },
    /// `assert_exhaustion`: the call exhausts the call stack.
    AssertExhaustion {
        /// What to run.
        action: Action,
        /// The spec interpreter's message.
        message: String,
    },
    /// `assert_exception`: an exception escapes the action.
    AssertException {
        /// What to run.
        action: Action,
    },
    /// `assert_invalid`: the module does not validate.
    AssertInvalid {
        /// The module, or the text format's rejection of it.
        module: Result<ScriptModule, TextRejection>,
        /// The spec interpreter's message.
        message: String,
    },
    /// `assert_malformed`: the module does not decode (or its text does not parse).
    AssertMalformed {
        /// The module, or the text format's rejection of it.
        module: Result<ScriptModule, TextRejection>,
        /// The spec interpreter's message.
        message: String,
    },
    /// `assert_unlinkable`: the module compiles but its imports do not resolve.
    AssertUnlinkable {
        /// The module.
        module: ScriptModule,
        /// The spec interpreter's message.
        message: String,
    },
    /// `assert_uninstantiable` (legacy syntax): instantiation traps or throws.
    AssertUninstantiable {
        /// The module.
        module: ScriptModule,
        /// The spec interpreter's message.
        message: String,
    },
    /// A directive or value outside catchall's vocabulary; counted as skipped.
    Unsupported {
        /// The directive's keyword.
        directive: String,
        /// Why it cannot run.
        reason: String,
    },
}

impl CommandKind {
    /// The directive's keyword, for messages.
    pub fn directive(&self) -> &str {
        match self {
            CommandKind::Module(_) => "module",
            CommandKind::ModuleDefinition(_) => "module definition",
            CommandKind::ModuleInstance { .. } => "module instance",
            CommandKind::Register { .. } => "register",
            CommandKind::Action(Action::Get { .. }) => "get",
            CommandKind::Action(_) => "invoke",
            CommandKind::AssertReturn { .. } => "assert_return",
            CommandKind::AssertTrap { .. } => "assert_trap",
            CommandKind::AssertExhaustion { .. } => "assert_exhaustion",
            CommandKind::AssertException { .. } => "assert_exception",
            CommandKind::AssertInvalid { .. } => "assert_invalid",
            CommandKind::AssertMalformed { .. } => "assert_malformed",
            CommandKind::AssertUnlinkable { .. } => "assert_unlinkable",
            CommandKind::AssertUninstantiable { .. } => "assert_uninstantiable",
            CommandKind::Unsupported { directive, .. } => directive,
        }
    }

    /// The action this command runs, if it runs one.
    pub fn action(&self) -> Option<&Action> {
        match self {
            CommandKind::Action(a)
            | CommandKind::AssertReturn { action: a, .. }
            | CommandKind::AssertTrap { action: a, .. }
            | CommandKind::AssertExhaustion { action: a, .. }
            | CommandKind::AssertException { action: a } => Some(a),
            _ => None,
        }
    }

    /// The module this command defines or instantiates and expects to be valid.
    fn valid_module(&self) -> Option<&ScriptModule> {
        match self {
            CommandKind::Module(m)
            | CommandKind::ModuleDefinition(m)
            | CommandKind::AssertUnlinkable { module: m, .. }
            | CommandKind::AssertUninstantiable { module: m, .. } => Some(m),
            other => match other.action() {
                Some(Action::Instantiate(m)) => Some(m),
                _ => None,
            },
        }
    }
}

/// How a module was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleForm {
    /// `(module binary "...")`.
    Binary,
    /// `(module ...)` in the text format.
    Text,
    /// `(module quote "...")`: text parsed from strings.
    Quote,
}

/// A module of a script, encoded.
#[derive(Clone, Debug)]
pub struct ScriptModule {
    /// Its name (`$M`, without the `$`).
    pub name: Option<String>,
    /// How it was written.
    pub form: ModuleForm,
    /// Its binary encoding.
    pub bytes: Vec<u8>,
    /// The proposals it uses (nothing when the bytes do not decode).
    pub features: Features,
}

impl ScriptModule {
    fn new(name: Option<String>, form: ModuleForm, bytes: Vec<u8>) -> ScriptModule {
        let features = ModuleInfo::parse(&bytes)
            .map(|i| i.features)
            .unwrap_or(Features::NONE);
        ScriptModule {
            name,
            form,
            bytes,
            features,
        }
    }

    /// `module $M`, or `module` when unnamed.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => format!("module ${n}"),
            None => "module".to_string(),
        }
    }
}

/// A module whose text the text format rejected before any engine saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextRejection {
    /// How the module was written (text or quote).
    pub form: ModuleForm,
    /// The text parser's message.
    pub message: String,
}

/// What a command runs.
#[derive(Clone, Debug)]
pub enum Action {
    /// Call an exported function.
    Invoke {
        /// The instance (the current one when `None`).
        instance: Option<String>,
        /// The export name.
        func: String,
        /// The arguments.
        args: Vec<Val>,
    },
    /// Read an exported global.
    Get {
        /// The instance (the current one when `None`).
        instance: Option<String>,
        /// The export name.
        global: String,
    },
    /// Instantiate a module (inside `assert_trap`, `assert_return`, `assert_exception`); the
    /// instance does not become the current one.
    Instantiate(ScriptModule),
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = |i: &Option<String>| match i {
            Some(n) => format!("${n} "),
            None => String::new(),
        };
        match self {
            Action::Invoke {
                instance,
                func,
                args,
            } => write!(
                f,
                "invoke {}{func:?}({})",
                target(instance),
                oracles::value::display_list(args)
            ),
            Action::Get { instance, global } => write!(f, "get {}{global:?}", target(instance)),
            Action::Instantiate(m) => f.write_str(&m.label()),
        }
    }
}

/// The NaN patterns of `assert_return`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NanKind {
    /// `nan:canonical`: only the quiet bit of the payload set, either sign.
    Canonical,
    /// `nan:arithmetic`: the quiet bit set, any other payload bits, either sign.
    Arithmetic,
}

impl NanKind {
    fn name(self) -> &'static str {
        match self {
            NanKind::Canonical => "nan:canonical",
            NanKind::Arithmetic => "nan:arithmetic",
        }
    }

    /// Whether a float (or lane) value matches the pattern.
    pub fn matches(self, v: &Val) -> bool {
        use oracles::value::NanClass;
        matches!(
            (self, v.nan_class()),
            (NanKind::Canonical, Some(NanClass::Canonical))
                | (
                    NanKind::Arithmetic,
                    Some(NanClass::Canonical | NanClass::Arithmetic)
                )
        )
    }
}

/// One float lane of a `v128` pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LanePattern {
    /// Exactly these bits.
    Bits(u64),
    /// A NaN pattern.
    Nan(NanKind),
}

/// A `v128` result pattern with at least one NaN lane (all-exact vectors are
/// [`Expected::Exact`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum V128Lanes {
    /// Four `f32` lanes, lane 0 in the low bits.
    F32x4([LanePattern; 4]),
    /// Two `f64` lanes, lane 0 in the low bits.
    F64x2([LanePattern; 2]),
}

/// What one result of `assert_return` must be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// Exactly this value (floats bit for bit).
    Exact(Val),
    /// A NaN of the float type (`F32` or `F64`) matching the pattern.
    Nan(ValType, NanKind),
    /// A vector with NaN lane patterns.
    V128(V128Lanes),
    /// A null reference; of this reference type's hierarchy when given (`ref.null func`
    /// matches a null funcref), of any when `None`.
    RefNull(Option<ValType>),
    /// Any non-null function reference (`ref.func`).
    RefFunc,
    /// A non-null extern reference carrying this host value (`ref.extern N`), or any when
    /// `None`.
    RefExtern(Option<u32>),
    /// Any one of the alternatives (`either`).
    Either(Vec<Expected>),
}

impl Expected {
    /// Whether a result matches.
    pub fn matches(&self, v: &Val) -> bool {
        match self {
            Expected::Exact(e) => e == v,
            Expected::Nan(ty, kind) => v.ty() == *ty && kind.matches(v),
            Expected::V128(lanes) => {
                let Val::V128(bits) = *v else { return false };
                match lanes {
                    V128Lanes::F32x4(ls) => ls.iter().enumerate().all(|(i, l)| {
                        let lane = (bits >> (32 * i)) as u32;
                        match l {
                            LanePattern::Bits(b) => u64::from(lane) == *b,
                            LanePattern::Nan(k) => k.matches(&Val::F32(lane)),
                        }
                    }),
                    V128Lanes::F64x2(ls) => ls.iter().enumerate().all(|(i, l)| {
                        let lane = (bits >> (64 * i)) as u64;
                        match l {
                            LanePattern::Bits(b) => lane == *b,
                            LanePattern::Nan(k) => k.matches(&Val::F64(lane)),
                        }
                    }),
                }
            }
            Expected::RefNull(ty) => match v {
                Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) => {
                    ty.is_none_or(|t| v.ty() == t)
                }
                _ => false,
            },
            Expected::RefFunc => matches!(v, Val::FuncRef(Some(_))),
            Expected::RefExtern(None) => matches!(v, Val::ExternRef(Some(_))),
            Expected::RefExtern(Some(n)) => *v == Val::ExternRef(Some(*n)),
            Expected::Either(alternatives) => alternatives.iter().any(|e| e.matches(v)),
        }
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Exact(v) => write!(f, "{v}"),
            Expected::Nan(ty, kind) => write!(f, "{ty}:{}", kind.name()),
            Expected::V128(lanes) => {
                let lane = |l: &LanePattern, width: usize| match l {
                    LanePattern::Bits(b) => format!("{b:#0width$x}", width = width / 4 + 2),
                    LanePattern::Nan(k) => k.name().to_string(),
                };
                let (shape, lanes): (&str, Vec<String>) = match lanes {
                    V128Lanes::F32x4(ls) => ("f32x4", ls.iter().map(|l| lane(l, 32)).collect()),
                    V128Lanes::F64x2(ls) => ("f64x2", ls.iter().map(|l| lane(l, 64)).collect()),
                };
                write!(f, "v128:{shape}[{}]", lanes.join(" "))
            }
            Expected::RefNull(None) => f.write_str("ref.null"),
            Expected::RefNull(Some(t)) => write!(f, "{t}:null"),
            Expected::RefFunc => f.write_str("funcref:non-null"),
            Expected::RefExtern(None) => f.write_str("externref:non-null"),
            Expected::RefExtern(Some(n)) => write!(f, "externref:{n}"),
            Expected::Either(alternatives) => {
                let parts: Vec<String> = alternatives.iter().map(|e| e.to_string()).collect();
                write!(f, "either({})", parts.join(" | "))
            }
        }
    }
}

/// Writes a list of patterns as `a, b, c` (`no results` when empty).
pub fn display_expected(expected: &[Expected]) -> String {
    if expected.is_empty() {
        return "no results".to_string();
    }
    expected
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The legacy directive the `wast` crate no longer parses, and the same-length text it is
/// read as (padding keeps every span and line number unchanged).
const UNINSTANTIABLE: &str = "(assert_uninstantiable";
const UNINSTANTIABLE_AS: &str = "(assert_trap           ";

/// Parses a script. `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Script, ParseError> {
    debug_assert_eq!(UNINSTANTIABLE.len(), UNINSTANTIABLE_AS.len());
    let lines = LineIndex::new(text);
    let err = |offset: usize, message: String| {
        let (line, col) = lines.locate(text, offset);
        ParseError {
            file: file.to_string(),
            line,
            col,
            message,
        }
    };

    // `assert_uninstantiable` is read as `assert_trap`, remembering where.
    let (source, uninstantiable) = rewrite_uninstantiable(text);

    let mut lexer = wast::lexer::Lexer::new(&source);
    lexer.allow_confusing_unicode(true);
    let buffer =
        ParseBuffer::new_with_lexer(lexer).map_err(|e| err(e.span().offset(), e.message()))?;
    let wast =
        wast::parser::parse::<Wast>(&buffer).map_err(|e| err(e.span().offset(), e.message()))?;

    let mut builder = Builder {
        commands: Vec::new(),
        instances: HashSet::new(),
        definitions: HashSet::new(),
        have_current: false,
        have_definition: false,
    };
    for directive in wast.directives {
        let offset = directive.span().offset();
        let (line, _) = lines.locate(text, offset);
        let kind = builder
            .directive(directive, uninstantiable.contains(&offset))
            .map_err(|(offset, message)| err(offset, message))?;
        builder.commands.push(Command { line, kind });
    }
    Ok(Script {
        file: file.to_string(),
        commands: builder.commands,
    })
}

/// Rewrites every `(assert_uninstantiable` to `(assert_trap` padded to the same length,
/// returning the new text and the offsets of the rewritten keywords (as spans report them).
fn rewrite_uninstantiable(text: &str) -> (std::borrow::Cow<'_, str>, HashSet<usize>) {
    let mut offsets = HashSet::new();
    if !text.contains(UNINSTANTIABLE) {
        return (std::borrow::Cow::Borrowed(text), offsets);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut base = 0;
    while let Some(at) = rest.find(UNINSTANTIABLE) {
        let after = &rest[at + UNINSTANTIABLE.len()..];
        let whole_word = after
            .chars()
            .next()
            .is_none_or(|c| c.is_whitespace() || c == '(' || c == ';');
        out.push_str(&rest[..at]);
        if whole_word {
            out.push_str(UNINSTANTIABLE_AS);
            offsets.insert(base + at + 1);
        } else {
            out.push_str(UNINSTANTIABLE);
        }
        base += at + UNINSTANTIABLE.len();
        rest = after;
    }
    out.push_str(rest);
    (std::borrow::Cow::Owned(out), offsets)
}

/// Byte offset to line and column, in `O(log lines)`.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The 1-based line and (character) column of `offset`.
    fn locate(&self, text: &str, offset: usize) -> (u32, u32) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.starts[line];
        let col = text
            .get(start..offset.min(text.len()))
            .map_or(offset - start, |s| s.chars().count());
        (line as u32 + 1, col as u32 + 1)
    }
}

type BuildResult<T> = Result<T, (usize, String)>;

/// Converts directives, tracking which names are bound so that a reference to an undefined
/// module is a parse error rather than a confusing failure later.
struct Builder {
    commands: Vec<Command>,
    instances: HashSet<String>,
    definitions: HashSet<String>,
    have_current: bool,
    have_definition: bool,
}

/// A value or pattern outside catchall's vocabulary.
struct Unrepresentable(String);

impl Builder {
    fn directive(
        &mut self,
        directive: WastDirective<'_>,
        uninstantiable: bool,
    ) -> BuildResult<CommandKind> {
        let offset = directive.span().offset();
        let unsupported = |directive: &str, reason: &str| CommandKind::Unsupported {
            directive: directive.to_string(),
            reason: reason.to_string(),
        };
        Ok(match directive {
            WastDirective::Module(module) => {
                let Some(m) = self.module(module, offset)? else {
                    return Ok(unsupported(
                        "module",
                        "components are outside catchall's scope",
                    ));
                };
                if let Some(n) = &m.name {
                    self.instances.insert(n.clone());
                    self.definitions.insert(n.clone());
                }
                self.have_current = true;
                self.have_definition = true;
                CommandKind::Module(m)
            }
            WastDirective::ModuleDefinition(module) => {
                let Some(m) = self.module(module, offset)? else {
                    return Ok(unsupported(
                        "module definition",
                        "components are outside catchall's scope",
                    ));
                };
                if let Some(n) = &m.name {
                    self.definitions.insert(n.clone());
                }
                self.have_definition = true;
                CommandKind::ModuleDefinition(m)
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                let definition = module.map(|id| id.name().to_string());
                match &definition {
                    Some(d) if !self.definitions.contains(d) => {
                        return Err((offset, format!("unknown module definition ${d}")));
                    }
                    None if !self.have_definition => {
                        return Err((offset, "no module defined before this instance".into()));
                    }
                    _ => {}
                }
                let instance = instance.map(|id| id.name().to_string());
                if let Some(i) = &instance {
                    self.instances.insert(i.clone());
                }
                self.have_current = true;
                CommandKind::ModuleInstance {
                    instance,
                    definition,
                }
            }
            WastDirective::Register { name, module, .. } => CommandKind::Register {
                name: name.to_string(),
                instance: self.instance_ref(module.map(|id| id.name()), offset)?,
            },
            WastDirective::Invoke(invoke) => match self.invoke(invoke)? {
                Ok(action) => CommandKind::Action(action),
                Err(Unrepresentable(reason)) => unsupported("invoke", &reason),
            },
            WastDirective::AssertReturn { exec, results, .. } => {
                let action = match self.execute(exec)? {
                    Ok(a) => a,
                    Err(Unrepresentable(reason)) => {
                        return Ok(unsupported("assert_return", &reason));
                    }
                };
                let mut expected = Vec::with_capacity(results.len());
                for r in results {
                    match expected_of(r) {
                        Ok(e) => expected.push(e),
                        Err(Unrepresentable(reason)) => {
                            return Ok(unsupported("assert_return", &reason));
                        }
                    }
                }
                CommandKind::AssertReturn { action, expected }
            }
            WastDirective::AssertTrap { exec, message, .. } => {
                let action = match self.execute(exec)? {
                    Ok(a) => a,
                    Err(Unrepresentable(reason)) => return Ok(unsupported("assert_trap", &reason)),
                };
                let message = message.to_string();
                match (uninstantiable, action) {
                    (true, Action::Instantiate(module)) => {
                        CommandKind::AssertUninstantiable { module, message }
                    }
                    (true, _) => {
                        return Err((offset, "assert_uninstantiable needs a module".into()));
                    }
                    (false, action) => CommandKind::AssertTrap { action, message },
                }
            }
            WastDirective::AssertExhaustion { call, message, .. } => match self.invoke(call)? {
                Ok(action) => CommandKind::AssertExhaustion {
                    action,
                    message: message.to_string(),
                },
                Err(Unrepresentable(reason)) => unsupported("assert_exhaustion", &reason),
            },
            WastDirective::AssertException { exec, .. } => match self.execute(exec)? {
                Ok(action) => CommandKind::AssertException { action },
                Err(Unrepresentable(reason)) => unsupported("assert_exception", &reason),
            },
            WastDirective::AssertInvalid {
                module, message, ..
            } => match self.rejected_module(module) {
                Some(module) => CommandKind::AssertInvalid {
                    module,
                    message: message.to_string(),
                },
                None => unsupported("assert_invalid", "components are outside catchall's scope"),
            },
            WastDirective::AssertMalformed {
                module, message, ..
            } => match self.rejected_module(module) {
                Some(module) => CommandKind::AssertMalformed {
                    module,
                    message: message.to_string(),
                },
                None => unsupported(
                    "assert_malformed",
                    "components are outside catchall's scope",
                ),
            },
            WastDirective::AssertUnlinkable {
                module, message, ..
            } => match self.module(QuoteWat::Wat(module), offset)? {
                Some(module) => CommandKind::AssertUnlinkable {
                    module,
                    message: message.to_string(),
                },
                None => unsupported(
                    "assert_unlinkable",
                    "components are outside catchall's scope",
                ),
            },
            WastDirective::AssertInvalidCustom { .. } => unsupported(
                "assert_invalid_custom",
                "custom-section assertions are outside catchall's scope",
            ),
            WastDirective::AssertMalformedCustom { .. } => unsupported(
                "assert_malformed_custom",
                "custom-section assertions are outside catchall's scope",
            ),
            WastDirective::AssertSuspension { .. } => unsupported(
                "assert_suspension",
                "stack switching is outside catchall's scope",
            ),
            WastDirective::Thread(_) => {
                unsupported("thread", "threads are outside catchall's scope")
            }
            WastDirective::Wait { .. } => {
                unsupported("wait", "threads are outside catchall's scope")
            }
        })
    }

    /// Checks a reference to an instance by name (or to the current instance).
    fn instance_ref(&self, name: Option<&str>, offset: usize) -> BuildResult<Option<String>> {
        match name {
            Some(n) if !self.instances.contains(n) => Err((offset, format!("unknown module ${n}"))),
            Some(n) => Ok(Some(n.to_string())),
            None if !self.have_current => Err((offset, "no module defined before this".into())),
            None => Ok(None),
        }
    }

    /// Encodes a module that must encode: a failure is a broken script. `None` for components.
    fn module(&self, module: QuoteWat<'_>, offset: usize) -> BuildResult<Option<ScriptModule>> {
        match encode(module) {
            Ok(m) => Ok(m),
            Err(rejection) => Err((
                offset,
                format!("module does not parse: {}", rejection.message),
            )),
        }
    }

    /// Encodes a module of `assert_invalid` / `assert_malformed`, keeping the text format's
    /// rejection. `None` for components.
    fn rejected_module(&self, module: QuoteWat<'_>) -> Option<Result<ScriptModule, TextRejection>> {
        encode(module).transpose()
    }

    fn invoke(&self, invoke: WastInvoke<'_>) -> BuildResult<Result<Action, Unrepresentable>> {
        let instance =
            self.instance_ref(invoke.module.map(|id| id.name()), invoke.span.offset())?;
        let mut args = Vec::with_capacity(invoke.args.len());
        for a in invoke.args {
            match arg_of(a) {
                Ok(v) => args.push(v),
                Err(e) => return Ok(Err(e)),
            }
        }
        Ok(Ok(Action::Invoke {
            instance,
            func: invoke.name.to_string(),
            args,
        }))
    }

    fn execute(&self, exec: WastExecute<'_>) -> BuildResult<Result<Action, Unrepresentable>> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(invoke),
            WastExecute::Get {
                span,
                module,
                global,
            } => Ok(Ok(Action::Get {
                instance: self.instance_ref(module.map(|id| id.name()), span.offset())?,
                global: global.to_string(),
            })),
            WastExecute::Wat(wat) => {
                let offset = wat.span().offset();
                Ok(match self.module(QuoteWat::Wat(wat), offset)? {
                    Some(m) => Ok(Action::Instantiate(m)),
                    None => Err(Unrepresentable(
                        "components are outside catchall's scope".into(),
                    )),
                })
            }
        }
    }
}

/// Encodes a module; `Ok(None)` for a component, `Err` when the text format rejects it.
fn encode(module: QuoteWat<'_>) -> Result<Option<ScriptModule>, TextRejection> {
    let (name, form, mut module) = match module {
        QuoteWat::Wat(Wat::Component(_)) | QuoteWat::QuoteComponent(..) => return Ok(None),
        QuoteWat::Wat(Wat::Module(m)) => {
            let form = match m.kind {
                wast::core::ModuleKind::Binary(_) => ModuleForm::Binary,
                wast::core::ModuleKind::Text(_) => ModuleForm::Text,
            };
            let name = m.id.map(|id| id.name().to_string());
            (name, form, QuoteWat::Wat(Wat::Module(m)))
        }
        q @ QuoteWat::QuoteModule(..) => (None, ModuleForm::Quote, q),
    };
    match module.encode() {
        Ok(bytes) => Ok(Some(ScriptModule::new(name, form, bytes))),
        Err(e) => Err(TextRejection {
            form,
            message: e.message(),
        }),
    }
}

/// The reference type a heap type's nulls belong to, within catchall's vocabulary.
fn null_type(heap: &HeapType<'_>) -> Result<ValType, Unrepresentable> {
    match heap {
        HeapType::Abstract { shared: false, ty } => match ty {
            AbstractHeapType::Func | AbstractHeapType::NoFunc => Ok(ValType::FuncRef),
            AbstractHeapType::Extern | AbstractHeapType::NoExtern => Ok(ValType::ExternRef),
            AbstractHeapType::Exn | AbstractHeapType::NoExn => Ok(ValType::ExnRef),
            other => Err(Unrepresentable(format!(
                "null references of heap type {other:?} are outside catchall's scope"
            ))),
        },
        _ => Err(Unrepresentable(
            "typed or shared references are outside catchall's scope".into(),
        )),
    }
}

fn arg_of(arg: WastArg<'_>) -> Result<Val, Unrepresentable> {
    let WastArg::Core(core) = arg else {
        return Err(Unrepresentable(
            "component values are outside catchall's scope".into(),
        ));
    };
    Ok(match core {
        WastArgCore::I32(v) => Val::I32(v),
        WastArgCore::I64(v) => Val::I64(v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefNull(heap) => null_type(&heap)?.default_value(),
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(n)),
        WastArgCore::RefHost(_) => {
            return Err(Unrepresentable(
                "host references (ref.host) are outside catchall's scope".into(),
            ));
        }
    })
}

fn lane32(p: &NanPattern<wast::token::F32>) -> LanePattern {
    match p {
        NanPattern::CanonicalNan => LanePattern::Nan(NanKind::Canonical),
        NanPattern::ArithmeticNan => LanePattern::Nan(NanKind::Arithmetic),
        NanPattern::Value(v) => LanePattern::Bits(u64::from(v.bits)),
    }
}

fn lane64(p: &NanPattern<wast::token::F64>) -> LanePattern {
    match p {
        NanPattern::CanonicalNan => LanePattern::Nan(NanKind::Canonical),
        NanPattern::ArithmeticNan => LanePattern::Nan(NanKind::Arithmetic),
        NanPattern::Value(v) => LanePattern::Bits(v.bits),
    }
}

fn v128_pattern(p: &V128Pattern) -> Expected {
    fn bits_of<const N: usize>(lanes: [u128; N]) -> u128 {
        let width = 128 / N;
        let mask = if width == 128 {
            u128::MAX
        } else {
            (1u128 << width) - 1
        };
        lanes
            .iter()
            .enumerate()
            .fold(0, |acc, (i, l)| acc | ((l & mask) << (width * i)))
    }
    let exact = |bits: u128| Expected::Exact(Val::V128(bits));
    match p {
        V128Pattern::I8x16(l) => exact(bits_of(l.map(|x| u128::from(x as u8)))),
        V128Pattern::I16x8(l) => exact(bits_of(l.map(|x| u128::from(x as u16)))),
        V128Pattern::I32x4(l) => exact(bits_of(l.map(|x| u128::from(x as u32)))),
        V128Pattern::I64x2(l) => exact(bits_of(l.map(|x| u128::from(x as u64)))),
        V128Pattern::F32x4(l) => {
            let lanes = [lane32(&l[0]), lane32(&l[1]), lane32(&l[2]), lane32(&l[3])];
            match lanes {
                [
                    LanePattern::Bits(a),
                    LanePattern::Bits(b),
                    LanePattern::Bits(c),
                    LanePattern::Bits(d),
                ] => exact(bits_of([a, b, c, d].map(u128::from))),
                _ => Expected::V128(V128Lanes::F32x4(lanes)),
            }
        }
        V128Pattern::F64x2(l) => {
            let lanes = [lane64(&l[0]), lane64(&l[1])];
            match lanes {
                [LanePattern::Bits(a), LanePattern::Bits(b)] => {
                    exact(bits_of([a, b].map(u128::from)))
                }
                _ => Expected::V128(V128Lanes::F64x2(lanes)),
            }
        }
    }
}

fn expected_of(ret: WastRet<'_>) -> Result<Expected, Unrepresentable> {
    let WastRet::Core(core) = ret else {
        return Err(Unrepresentable(
            "component values are outside catchall's scope".into(),
        ));
    };
    expected_core(core)
}

fn expected_core(core: WastRetCore<'_>) -> Result<Expected, Unrepresentable> {
    Ok(match core {
        WastRetCore::I32(v) => Expected::Exact(Val::I32(v)),
        WastRetCore::I64(v) => Expected::Exact(Val::I64(v)),
        WastRetCore::F32(NanPattern::Value(v)) => Expected::Exact(Val::F32(v.bits)),
        WastRetCore::F32(NanPattern::CanonicalNan) => {
            Expected::Nan(ValType::F32, NanKind::Canonical)
        }
        WastRetCore::F32(NanPattern::ArithmeticNan) => {
            Expected::Nan(ValType::F32, NanKind::Arithmetic)
        }
        WastRetCore::F64(NanPattern::Value(v)) => Expected::Exact(Val::F64(v.bits)),
        WastRetCore::F64(NanPattern::CanonicalNan) => {
            Expected::Nan(ValType::F64, NanKind::Canonical)
        }
        WastRetCore::F64(NanPattern::ArithmeticNan) => {
            Expected::Nan(ValType::F64, NanKind::Arithmetic)
        }
        WastRetCore::V128(p) => v128_pattern(&p),
        WastRetCore::RefNull(None) => Expected::RefNull(None),
        WastRetCore::RefNull(Some(heap)) => Expected::RefNull(Some(null_type(&heap)?)),
        WastRetCore::RefExtern(n) => Expected::RefExtern(n),
        WastRetCore::RefFunc(_) => Expected::RefFunc,
        WastRetCore::Either(alternatives) => Expected::Either(
            alternatives
                .into_iter()
                .map(expected_core)
                .collect::<Result<_, _>>()?,
        ),
        WastRetCore::RefHost(_)
        | WastRetCore::RefAny
        | WastRetCore::RefEq
        | WastRetCore::RefArray
        | WastRetCore::RefStruct
        | WastRetCore::RefI31
        | WastRetCore::RefI31Shared => {
            return Err(Unrepresentable(
                "GC and host reference patterns are outside catchall's scope".into(),
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> CommandKind {
        let script = parse("t.wast", text).unwrap();
        script.commands.last().unwrap().kind.clone()
    }

    #[test]
    fn modules_actions_and_lines() {
        let s = parse(
            "t.wast",
            "(module $M (func (export \"f\") (param i32) (result i32) local.get 0))\n\
             \n\
             (assert_return (invoke $M \"f\" (i32.const 7)) (i32.const 7))\n\
             (register \"m\" $M)\n\
             (invoke \"f\" (i32.const 1))\n",
        )
        .unwrap();
        assert_eq!(s.commands.len(), 4);
        assert_eq!(s.commands[0].line, 1);
        let CommandKind::Module(m) = &s.commands[0].kind else {
            panic!()
        };
        assert_eq!(m.name.as_deref(), Some("M"));
        assert_eq!(m.form, ModuleForm::Text);
        assert_eq!(&m.bytes[..4], b"\0asm");
        assert_eq!(s.commands[1].line, 3);
        let CommandKind::AssertReturn { action, expected } = &s.commands[1].kind else {
            panic!()
        };
        assert_eq!(action.to_string(), "invoke $M \"f\"(i32:7)");
        assert_eq!(expected, &[Expected::Exact(Val::I32(7))]);
        assert!(
            matches!(&s.commands[2].kind, CommandKind::Register { name, instance: Some(i) } if name == "m" && i == "M")
        );
        assert_eq!(s.commands[3].line, 5);
    }

    #[test]
    fn quote_modules_that_do_not_parse_are_text_rejections() {
        let k =
            one("(assert_malformed (module quote \"(func (i32.const))\" \")\") \"unexpected\")");
        let CommandKind::AssertMalformed { module: Err(r), .. } = k else {
            panic!("{k:?}")
        };
        assert_eq!(r.form, ModuleForm::Quote);
        let k = one("(assert_malformed (module quote \"(func)\") \"x\")");
        let CommandKind::AssertMalformed { module: Ok(m), .. } = k else {
            panic!("{k:?}")
        };
        assert_eq!(m.form, ModuleForm::Quote);
        let k = one("(assert_malformed (module binary \"\\00asm\") \"unexpected end\")");
        let CommandKind::AssertMalformed { module: Ok(m), .. } = k else {
            panic!("{k:?}")
        };
        assert_eq!(
            (m.form, m.bytes.as_slice()),
            (ModuleForm::Binary, &b"\0asm"[..])
        );
    }

    #[test]
    fn nan_reference_and_either_patterns() {
        let k = one("(module (func (export \"f\")))\n\
             (assert_return (invoke \"f\") (f32.const nan:canonical) (f64.const nan:arithmetic)\n\
               (ref.null func) (ref.null) (ref.func) (ref.extern 3) (ref.null exn)\n\
               (either (i32.const 1) (i32.const 2))\n\
               (v128.const f32x4 nan:canonical 1.0 0 -0))");
        let CommandKind::AssertReturn { expected, .. } = k else {
            panic!()
        };
        assert_eq!(expected[0], Expected::Nan(ValType::F32, NanKind::Canonical));
        assert_eq!(
            expected[1],
            Expected::Nan(ValType::F64, NanKind::Arithmetic)
        );
        assert_eq!(expected[2], Expected::RefNull(Some(ValType::FuncRef)));
        assert_eq!(expected[3], Expected::RefNull(None));
        assert_eq!(expected[4], Expected::RefFunc);
        assert_eq!(expected[5], Expected::RefExtern(Some(3)));
        assert_eq!(expected[6], Expected::RefNull(Some(ValType::ExnRef)));
        assert!(expected[7].matches(&Val::I32(2)));
        assert!(!expected[7].matches(&Val::I32(3)));
        assert_eq!(expected[7].to_string(), "either(i32:1 | i32:2)");
        // Matching.
        assert!(expected[0].matches(&Val::F32(0xffc0_0000)));
        assert!(!expected[0].matches(&Val::F32(0x7fc0_0001)));
        assert!(!expected[0].matches(&Val::F64(0x7ff8_0000_0000_0000)));
        assert!(expected[1].matches(&Val::F64(0x7ff8_0000_0000_0001)));
        assert!(!expected[1].matches(&Val::F64(0x7ff0_0000_0000_0001)));
        assert!(expected[2].matches(&Val::FuncRef(None)));
        assert!(!expected[2].matches(&Val::ExternRef(None)));
        assert!(expected[3].matches(&Val::ExnRef(None)));
        assert!(expected[4].matches(&Val::FuncRef(Some(oracles::FuncId::Foreign))));
        assert!(!expected[4].matches(&Val::FuncRef(None)));
        assert!(expected[5].matches(&Val::ExternRef(Some(3))));
        assert!(!expected[5].matches(&Val::ExternRef(Some(4))));
        let one_f32 = 1.0f32.to_bits() as u128;
        let v = Val::V128(0x8000_0000u128 << 96 | one_f32 << 32 | 0x7fc0_0000);
        assert!(expected[8].matches(&v), "{}", expected[8]);
        let v = Val::V128(0x8000_0000u128 << 96 | one_f32 << 32 | 0x7fc0_0001);
        assert!(!expected[8].matches(&v));
    }

    #[test]
    fn integer_vectors_are_exact() {
        let k = one("(module (func (export \"f\")))\n\
             (assert_return (invoke \"f\") (v128.const i32x4 1 2 3 -1))");
        let CommandKind::AssertReturn { expected, .. } = k else {
            panic!()
        };
        assert_eq!(
            expected[0],
            Expected::Exact(Val::V128(0xffff_ffff_0000_0003_0000_0002_0000_0001))
        );
    }

    #[test]
    fn traps_exceptions_and_module_assertions() {
        let s = parse(
            "t.wast",
            "(module (func (export \"f\") unreachable))\n\
             (assert_trap (invoke \"f\") \"unreachable\")\n\
             (assert_trap (module (func $s unreachable) (start $s)) \"unreachable\")\n\
             (assert_uninstantiable (module (func $s unreachable) (start $s)) \"unreachable\")\n\
             (assert_exception (invoke \"f\"))\n\
             (assert_unlinkable (module (import \"m\" \"f\" (func))) \"unknown import\")\n\
             (assert_invalid (module (func (result i32))) \"type mismatch\")\n\
             (assert_exhaustion (invoke \"f\") \"call stack exhausted\")\n\
             (module definition $D (func))\n\
             (module instance $I $D)\n\
             (module instance)\n\
             (assert_return (get $I \"g\") (i32.const 1))\n",
        )
        .unwrap();
        let kinds: Vec<&str> = s.commands.iter().map(|c| c.kind.directive()).collect();
        assert_eq!(
            kinds,
            [
                "module",
                "assert_trap",
                "assert_trap",
                "assert_uninstantiable",
                "assert_exception",
                "assert_unlinkable",
                "assert_invalid",
                "assert_exhaustion",
                "module definition",
                "module instance",
                "module instance",
                "assert_return"
            ]
        );
        assert_eq!(s.commands[3].line, 4);
        let CommandKind::AssertTrap {
            action: Action::Instantiate(_),
            message,
        } = &s.commands[2].kind
        else {
            panic!()
        };
        assert_eq!(message, "unreachable");
        let CommandKind::AssertReturn { action, .. } = &s.commands[11].kind else {
            panic!()
        };
        assert_eq!(action.to_string(), "get $I \"g\"");
    }

    #[test]
    fn features_ignore_negative_modules() {
        let s = parse(
            "t.wast",
            "(module (memory i64 1))\n\
             (assert_invalid (module (func (try_table))) \"x\")\n",
        )
        .unwrap();
        assert_eq!(s.features(), Features::MEMORY64);
    }

    #[test]
    fn unrepresentable_values_are_unsupported_not_errors() {
        let k = one("(module (func (export \"f\") (param anyref)))\n\
             (assert_return (invoke \"f\" (ref.null any)))");
        assert!(matches!(k, CommandKind::Unsupported { .. }), "{k:?}");
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let e = parse(
            "dir/x.wast",
            "(module)\n  (assert_return (invoke \"f\" (i32.const x)))",
        )
        .unwrap_err();
        assert_eq!((e.line, e.file.as_str()), (2, "dir/x.wast"));
        assert!(e.to_string().starts_with("dir/x.wast:2:"), "{e}");
        let e = parse("x.wast", "(module)\n(invoke $nope \"f\")").unwrap_err();
        assert_eq!(e.to_string(), "x.wast:2:2: unknown module $nope");
        let e = parse("x.wast", "(invoke \"f\")").unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse("x.wast", "(module (func (i32.const 1) (br $missing)))").unwrap_err();
        assert!(e.message.starts_with("module does not parse"), "{e}");
    }
}
