//! `Session`: one engine, one store, and a script's named modules and instances, performing commands one at a time.
//!
//! A session carries out the engine-visible part of each [`Command`] and reports what the
//! engine did as an [`Observation`]; it does not judge. The gate runner ([`crate::check`])
//! compares observations with the script's expectations; a differential runner performs the
//! same command in one session per engine and compares the observations with
//! [`oracles::compare::compare_step`]:
//!
//! ```text
//! let mut sessions: Vec<Session> = engines.iter().map(|e| Session::new(&**e, limits, true)).collect();
//! for command in &script.commands {
//!     let performed: Vec<(&str, Option<Performed>)> = sessions
//!         .iter_mut()
//!         .map(|s| (s.engine().name(), s.perform(command)))
//!         .collect();
//!     // compare the `observation`s of the engines that performed the command
//! }
//! ```
//!
//! **Engines only get what they support.** A module that uses a proposal outside the session's
//! features (the engine's, by default), or that the engine reports as unsupported, is not run:
//! its command is [`Step::Skipped`], naming the proposal.
//!
//! **Failures do not cascade.** When a module fails to compile or instantiate (or is skipped),
//! the session remembers the line of that module; every later command that needs it (an invoke
//! on it, a `register` of it, a module importing from that registration, a `module instance` of
//! a failed definition) is [`Step::Blocked`] instead of being run against a stale instance.
//! The gate counts blocked commands as skipped: the root failure is the one reported.
//! Likewise, after an engine panics inside its store, the store is not trusted again and every
//! later command is blocked by that line.

use crate::script::{Action, Command, CommandKind, ScriptModule};
use oracles::{
    Engine, Features, InstanceId, Limits, Module, ModuleError, ModuleInfo, Observation, Outcome,
    Store, Val,
};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

/// What a session did for one command.
#[derive(Clone, Debug, PartialEq)]
pub struct Performed {
    /// A human label of what ran: `module $M`, `invoke "f"(i32:1)`, `get $M "g"`.
    pub action: String,
    /// What the engine observed, with a snapshot of the instance concerned after an
    /// instantiation or an invoke (when snapshots are on).
    pub observation: Observation,
}

/// Why a command was not run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocked {
    /// The line of the command whose failure this one depends on.
    pub line: u32,
    /// A sentence saying so.
    pub reason: String,
}

/// The result of [`Session::step`].
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// The command ran on the engine.
    Performed(Performed),
    /// The command has nothing engine-visible: `register`, a module the text format already
    /// rejected, a directive outside catchall's scope.
    Nothing,
    /// The command's module uses a proposal the engine lacks (see [`Session::with_features`]),
    /// or the engine reported it unsupported ([`ModuleError::Unsupported`]): the engine is
    /// skipped for this command, and for every command that depends on its module.
    Skipped(String),
    /// The command depends on a module that failed or was skipped earlier (or on a store that
    /// an engine panic left untrustworthy) and was not run.
    Blocked(Blocked),
}

impl Step {
    /// The performed part, if the command ran.
    pub fn performed(self) -> Option<Performed> {
        match self {
            Step::Performed(p) => Some(p),
            _ => None,
        }
    }
}

/// An instance slot: an instance, or the line of the module that failed to produce it.
#[derive(Clone, Copy, Debug)]
enum Slot {
    Ready(InstanceId),
    Failed(u32),
}

/// A module definition slot.
#[derive(Clone)]
enum Definition {
    Ready(Rc<dyn Module>),
    Failed(u32),
}

/// What [`Session::prepare`] made of a module.
enum Prepared {
    /// Compiled, ready to instantiate.
    Ready(Rc<dyn Module>),
    /// Not compiled, or rejected: the step to report, and the line of the root failure that
    /// dependents are blocked by.
    NotRun(Step, u32),
}

/// One engine and one store running one script.
pub struct Session<'e> {
    engine: &'e dyn Engine,
    store: Box<dyn Store>,
    expose: bool,
    snapshots: bool,
    features: Features,
    /// Why the module at a line produced no instance or definition.
    causes: HashMap<u32, String>,
    instances: HashMap<String, Slot>,
    definitions: HashMap<String, Definition>,
    current: Option<Slot>,
    last_definition: Option<Definition>,
    /// Import module names registered from failed instances, with the failure's line.
    failed_registrations: HashMap<String, u32>,
    /// The line at which the engine panicked inside the store.
    poisoned: Option<u32>,
}

impl<'e> Session<'e> {
    /// A session with a fresh store of `engine` (which has `spectest` registered). When
    /// `expose` is true, every module goes through [`oracles::expose::expose`] before it is
    /// compiled, so that snapshots see every memory, global and table. Snapshots are on.
    pub fn new(engine: &'e dyn Engine, limits: Limits, expose: bool) -> Session<'e> {
        Session {
            engine,
            store: engine.new_store(limits),
            expose,
            snapshots: true,
            features: engine.features(),
            causes: HashMap::new(),
            instances: HashMap::new(),
            definitions: HashMap::new(),
            current: None,
            last_definition: None,
            failed_registrations: HashMap::new(),
            poisoned: None,
        }
    }

    /// Turns snapshots after instantiations and invokes on or off. A conformance run does not
    /// need them, and hashing every memory after every call is the most expensive part of a
    /// step for scripts with large memories.
    pub fn with_snapshots(mut self, on: bool) -> Session<'e> {
        self.snapshots = on;
        self
    }

    /// Sets the proposals modules may use (by default, the engine's [`Engine::features`]). A
    /// module using anything else is not given to the engine: its command is
    /// [`Step::Skipped`], naming the missing proposals.
    pub fn with_features(mut self, features: Features) -> Session<'e> {
        self.features = features;
        self
    }

    /// The engine.
    pub fn engine(&self) -> &'e dyn Engine {
        self.engine
    }

    /// The store, for reading memory contents once snapshots differ.
    pub fn store_mut(&mut self) -> &mut dyn Store {
        &mut *self.store
    }

    /// The current instance (the last one instantiated by `module` or `module instance`), if
    /// it instantiated.
    pub fn current_instance(&self) -> Option<InstanceId> {
        match self.current {
            Some(Slot::Ready(id)) => Some(id),
            _ => None,
        }
    }

    /// Carries out the engine-visible part of `command`; `None` when there is nothing
    /// engine-visible or the command is blocked by an earlier failure (see [`Session::step`]).
    pub fn perform(&mut self, command: &Command) -> Option<Performed> {
        self.step(command).performed()
    }

    /// Carries out the engine-visible part of `command`, saying why when nothing ran.
    pub fn step(&mut self, command: &Command) -> Step {
        if let Some(line) = self.poisoned {
            return Step::Blocked(Blocked {
                line,
                reason: format!("the engine panicked at line {line}; its store is not used again"),
            });
        }
        let line = command.line;
        match &command.kind {
            CommandKind::Module(m) => {
                let (step, slot, definition) = self.define_and_instantiate(m, line);
                if let Some(name) = &m.name {
                    self.instances.insert(name.clone(), slot);
                    self.definitions.insert(name.clone(), definition.clone());
                }
                self.last_definition = Some(definition);
                self.current = Some(slot);
                step
            }
            CommandKind::ModuleDefinition(m) => {
                let label = format!("module definition{}", name_suffix(&m.name));
                let (step, definition) = match self.prepare(m, &label, line) {
                    Prepared::Ready(module) => (
                        performed(label, Ok(Outcome::Return(Vec::new())), None),
                        Definition::Ready(module),
                    ),
                    Prepared::NotRun(step, root) => (step, Definition::Failed(root)),
                };
                if let Some(name) = &m.name {
                    self.definitions.insert(name.clone(), definition.clone());
                }
                self.last_definition = Some(definition);
                step
            }
            CommandKind::ModuleInstance {
                instance,
                definition,
            } => {
                let def = match definition {
                    Some(d) => self.definitions.get(d).cloned(),
                    None => self.last_definition.clone(),
                };
                let label = format!(
                    "module instance{}{}",
                    name_suffix(instance),
                    name_suffix(definition)
                );
                let (step, slot) = match def {
                    None => {
                        self.causes
                            .insert(line, "names no module definition".into());
                        (
                            Step::Blocked(Blocked {
                                line,
                                reason: match definition {
                                    Some(d) => format!("no module definition ${d}"),
                                    None => "no module definition before this instance".into(),
                                },
                            }),
                            Slot::Failed(line),
                        )
                    }
                    Some(Definition::Failed(root)) => {
                        (Step::Blocked(self.blocked_by(root)), Slot::Failed(root))
                    }
                    Some(Definition::Ready(module)) => self.instantiate(&*module, label, line),
                };
                if let Some(name) = instance {
                    self.instances.insert(name.clone(), slot);
                }
                self.current = Some(slot);
                step
            }
            CommandKind::Register { name, instance } => {
                match self.resolve(instance.as_deref(), line) {
                    Ok(id) => {
                        let store = &mut self.store;
                        if catch_unwind(AssertUnwindSafe(|| store.register(name, id))).is_err() {
                            self.poisoned = Some(line);
                        }
                        self.failed_registrations.remove(name);
                    }
                    Err(blocked) => {
                        self.failed_registrations.insert(name.clone(), blocked.line);
                    }
                }
                Step::Nothing
            }
            CommandKind::Action(action)
            | CommandKind::AssertReturn { action, .. }
            | CommandKind::AssertTrap { action, .. }
            | CommandKind::AssertExhaustion { action, .. }
            | CommandKind::AssertException { action } => self.act(action, line),
            CommandKind::AssertInvalid { module, .. }
            | CommandKind::AssertMalformed { module, .. } => match module {
                Ok(m) => match self.prepare(m, &m.label(), line) {
                    Prepared::Ready(_) => {
                        performed(m.label(), Ok(Outcome::Return(Vec::new())), None)
                    }
                    Prepared::NotRun(step, _) => step,
                },
                Err(_) => Step::Nothing,
            },
            CommandKind::AssertUnlinkable { module, .. }
            | CommandKind::AssertUninstantiable { module, .. } => {
                self.define_and_instantiate(module, line).0
            }
            CommandKind::Unsupported { .. } => Step::Nothing,
        }
    }

    /// Why a command depending on the module at `root` is not run.
    fn blocked_by(&self, root: u32) -> Blocked {
        let cause = self.causes.get(&root).map_or("failed", String::as_str);
        Blocked {
            line: root,
            reason: format!("depends on the module at line {root}, which {cause}"),
        }
    }

    /// Everything before instantiation: imports from failed registrations block the module,
    /// proposals outside [`Session::with_features`] and [`ModuleError::Unsupported`] skip it,
    /// and a compile error is its observation.
    fn prepare(&mut self, m: &ScriptModule, label: &str, line: u32) -> Prepared {
        if let Some(blocked) = self.blocked_imports(m) {
            let root = blocked.line;
            return Prepared::NotRun(Step::Blocked(blocked), root);
        }
        let missing = m.features.difference(self.features);
        if !missing.is_empty() {
            let why = format!("needs {missing}");
            self.causes.insert(line, format!("was skipped ({why})"));
            return Prepared::NotRun(Step::Skipped(why), line);
        }
        match self.compile(m) {
            Ok(module) => Prepared::Ready(module),
            Err(ModuleError::Unsupported(message)) => {
                let why = format!("unsupported by the engine: {}", squash(&message));
                self.causes
                    .insert(line, "was skipped (unsupported by the engine)".into());
                Prepared::NotRun(Step::Skipped(why), line)
            }
            Err(e) => {
                self.causes.insert(line, "failed to compile".into());
                Prepared::NotRun(performed(label.to_string(), Err(e), None), line)
            }
        }
    }

    /// Compiles a module, through `expose` when the session exposes. A panic is an internal
    /// error of the engine.
    fn compile(&self, m: &ScriptModule) -> Result<Rc<dyn Module>, ModuleError> {
        let exposed;
        let bytes: &[u8] = if self.expose {
            exposed = oracles::expose::expose(&m.bytes).ok();
            exposed.as_deref().unwrap_or(&m.bytes)
        } else {
            &m.bytes
        };
        let engine = self.engine;
        match catch_unwind(AssertUnwindSafe(|| engine.compile(bytes))) {
            Ok(result) => result.map(Rc::from),
            Err(payload) => Err(ModuleError::Internal(panic_message(&*payload))),
        }
    }

    /// A module's imports from a registration whose instance failed block it.
    fn blocked_imports(&self, m: &ScriptModule) -> Option<Blocked> {
        if self.failed_registrations.is_empty() {
            return None;
        }
        let info = ModuleInfo::parse(&m.bytes).ok()?;
        info.imports.iter().find_map(|i| {
            self.failed_registrations.get(&i.module).map(|&root| {
                let mut b = self.blocked_by(root);
                b.reason = format!("imports from {:?}: {}", i.module, b.reason);
                b
            })
        })
    }

    /// Compiles and instantiates; returns the step, the instance slot and the definition.
    fn define_and_instantiate(&mut self, m: &ScriptModule, line: u32) -> (Step, Slot, Definition) {
        let label = m.label();
        match self.prepare(m, &label, line) {
            Prepared::NotRun(step, root) => (step, Slot::Failed(root), Definition::Failed(root)),
            Prepared::Ready(module) => {
                let (step, slot) = self.instantiate(&*module, label, line);
                (step, slot, Definition::Ready(module))
            }
        }
    }

    fn instantiate(&mut self, module: &dyn Module, label: String, line: u32) -> (Step, Slot) {
        let store = &mut self.store;
        let result = match catch_unwind(AssertUnwindSafe(|| store.instantiate(module))) {
            Ok(r) => r,
            Err(payload) => {
                self.poisoned = Some(line);
                Ok(Outcome::Crash(panic_message(&*payload)))
            }
        };
        match result {
            Ok(Outcome::Return(id)) => {
                let snapshot = self.snapshot(id, line);
                (
                    performed(label, Ok(Outcome::Return(Vec::new())), snapshot),
                    Slot::Ready(id),
                )
            }
            Err(e) => {
                self.causes
                    .insert(line, format!("did not link ({})", e.kind_name()));
                (performed(label, Err(e), None), Slot::Failed(line))
            }
            Ok(other) => {
                self.causes
                    .insert(line, format!("did not instantiate ({})", other.kind_name()));
                (
                    performed(label, Ok(other.map(|_| Vec::new())), None),
                    Slot::Failed(line),
                )
            }
        }
    }

    fn snapshot(&mut self, id: InstanceId, line: u32) -> Option<oracles::Snapshot> {
        if !self.snapshots || self.poisoned.is_some() {
            return None;
        }
        let store = &mut self.store;
        match catch_unwind(AssertUnwindSafe(|| store.snapshot(id))) {
            Ok(s) => Some(s),
            Err(_) => {
                self.poisoned = Some(line);
                None
            }
        }
    }

    /// The instance an action names (or the current one).
    fn resolve(&self, name: Option<&str>, line: u32) -> Result<InstanceId, Blocked> {
        let slot = match name {
            Some(n) => self.instances.get(n).copied().ok_or_else(|| Blocked {
                line,
                reason: format!("no module ${n} was defined"),
            })?,
            None => self.current.ok_or_else(|| Blocked {
                line,
                reason: "no module was defined before this".into(),
            })?,
        };
        match slot {
            Slot::Ready(id) => Ok(id),
            Slot::Failed(root) => Err(self.blocked_by(root)),
        }
    }

    fn act(&mut self, action: &Action, line: u32) -> Step {
        let label = action.to_string();
        match action {
            Action::Instantiate(m) => self.define_and_instantiate(m, line).0,
            Action::Invoke {
                instance,
                func,
                args,
            } => {
                let id = match self.resolve(instance.as_deref(), line) {
                    Ok(id) => id,
                    Err(b) => return Step::Blocked(b),
                };
                let store = &mut self.store;
                let outcome = match catch_unwind(AssertUnwindSafe(|| store.call(id, func, args))) {
                    Ok(o) => o,
                    Err(payload) => {
                        self.poisoned = Some(line);
                        Outcome::Crash(panic_message(&*payload))
                    }
                };
                let snapshot = self.snapshot(id, line);
                performed(label, Ok(outcome), snapshot)
            }
            Action::Get { instance, global } => {
                let id = match self.resolve(instance.as_deref(), line) {
                    Ok(id) => id,
                    Err(b) => return Step::Blocked(b),
                };
                let store = &mut self.store;
                let outcome = match catch_unwind(AssertUnwindSafe(|| store.global(id, global))) {
                    Ok(Some(v)) => Outcome::Return(vec![v]),
                    Ok(None) => Outcome::Crash(format!("no exported global {global:?}")),
                    Err(payload) => {
                        self.poisoned = Some(line);
                        Outcome::Crash(panic_message(&*payload))
                    }
                };
                performed(label, Ok(outcome), None)
            }
        }
    }
}

fn performed(
    action: String,
    outcome: Result<Outcome<Vec<Val>>, ModuleError>,
    snapshot: Option<oracles::Snapshot>,
) -> Step {
    Step::Performed(Performed {
        action,
        observation: Observation { outcome, snapshot },
    })
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn name_suffix(name: &Option<String>) -> String {
    match name {
        Some(n) => format!(" ${n}"),
        None => String::new(),
    }
}

/// A panic payload's message.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    format!("panic: {text}")
}
