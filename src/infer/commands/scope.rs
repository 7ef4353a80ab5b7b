//! INFER stage: the variables a script unit sees, shared by the units of a job instead of
//! copied into each.
//!
//! A unit sees, the later winning: the job's variables (the pipeline's, then the job's own),
//! its step's `env`, and what the job's earlier steps set (assignments on shared-shell lines
//! of GitLab, Bitbucket and Travis; `$GITHUB_ENV` and `$GITHUB_OUTPUT` writes). A script a
//! unit calls sees the same, with its own positional parameters (`$1`, `$2`) instead of its
//! caller's.
//!
//! What earlier steps set is one log per job. Each step appends what it sets, and a unit reads
//! only the entries made before its step. The values earlier steps set on one branch only
//! ([`ConditionalValue`]) are kept in the same log the same way. So a job of N script lines
//! that each set a different variable keeps N entries, not a copy per line (N²), and a lookup
//! is a hash lookup and a binary search whatever the job's length.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};

use crate::infer::shell::{Lookup, last_value};
use crate::read::ConditionalValue;

/// The variables one unit sees; cloning it copies no variable.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    /// The pipeline's variables, then the job's: shared by all the job's units.
    job: Arc<Layer>,
    /// The step's own `env`.
    step: Arc<Layer>,
    /// The positional parameters of a called script, which hide any other `$1`.
    positional: Option<Arc<[(String, String)]>>,
    /// What the job's steps set, shared by all its units.
    log: Arc<RwLock<Log>>,
    /// How many entries of the log's `set` and `conditional` were made before this unit's
    /// step: the ones it sees.
    seen: (usize, usize),
}

/// Variables set together (a job's, a step's `env`), each name's last value found by a hash
/// lookup.
#[derive(Debug, Default)]
struct Layer(HashMap<String, String>);

impl Layer {
    /// The pairs, the last value of a name winning.
    fn of(pairs: &[(String, String)]) -> Arc<Layer> {
        Arc::new(Layer(pairs.iter().cloned().collect()))
    }
}

/// What a job's steps set, in the order they set it.
#[derive(Debug, Default)]
struct Log {
    /// How many values were set.
    set: usize,
    /// Each name's values, with where each stands among all those set, in order.
    by_name: HashMap<String, Vec<(usize, String)>>,
    conditional: Vec<ConditionalValue>,
}

impl Scope {
    /// A job's scope: its variables (pipeline, then job), nothing set by a step yet.
    pub(crate) fn job(vars: &[(String, String)]) -> Scope {
        Scope {
            job: Layer::of(vars),
            ..Scope::default()
        }
    }

    /// What a step with `env` sees: the job's variables, `env` over them, and what the steps
    /// before it set, as the log holds it now.
    pub(crate) fn step(&self, env: &[(String, String)]) -> Scope {
        let log = self.read();
        let seen = (log.set, log.conditional.len());
        drop(log);
        Scope {
            job: self.job.clone(),
            step: Layer::of(env),
            positional: None,
            log: self.log.clone(),
            seen,
        }
    }

    /// Records what a step set for the steps after it: variables it always sets, and values it
    /// sets on one branch only.
    pub(crate) fn carry(&self, set: Vec<(String, String)>, on_branch: Vec<ConditionalValue>) {
        if set.is_empty() && on_branch.is_empty() {
            return;
        }
        let mut log = self.log.write().unwrap_or_else(PoisonError::into_inner);
        for (name, value) in set {
            let at = log.set;
            log.by_name.entry(name).or_default().push((at, value));
            log.set += 1;
        }
        log.conditional.extend(on_branch);
    }

    /// This scope with `positional` as the only positional parameters.
    pub(crate) fn with_positional(mut self, positional: Vec<(String, String)>) -> Scope {
        self.positional = Some(positional.into());
        self
    }

    /// Whether an earlier step set `name` on some branch only.
    pub(crate) fn set_on_branch(&self, name: &str) -> bool {
        self.read().conditional[..self.seen.1]
            .iter()
            .any(|c| c.name == name)
    }

    /// The values earlier steps set on some branch only, in the order they set them.
    pub(crate) fn on_branch(&self) -> Vec<ConditionalValue> {
        self.read().conditional[..self.seen.1].to_vec()
    }

    /// The values every step of the job set on some branch only, in the order they set them.
    pub(crate) fn all_on_branch(&self) -> Vec<ConditionalValue> {
        self.read().conditional.clone()
    }

    fn read(&self) -> RwLockReadGuard<'_, Log> {
        self.log.read().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Lookup for Scope {
    fn value(&self, name: &str) -> Option<Cow<'_, str>> {
        if let Some(positional) = &self.positional
            && !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_digit())
        {
            return last_value(positional, name).map(Cow::Borrowed);
        }
        let carried = {
            let log = self.read();
            log.by_name.get(name).and_then(|values| {
                let before = values.partition_point(|(at, _)| *at < self.seen.0);
                Some(values.get(before.checked_sub(1)?)?.1.clone())
            })
        };
        match carried {
            Some(v) => Some(Cow::Owned(v)),
            None => self
                .step
                .0
                .get(name)
                .or_else(|| self.job.0.get(name))
                .map(|v| Cow::Borrowed(v.as_str())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn value(scope: &Scope, name: &str) -> Option<String> {
        scope.value(name).map(Cow::into_owned)
    }

    #[test]
    fn what_a_step_sets_wins_over_its_env_which_wins_over_the_job() {
        let job = Scope::job(&pairs(&[("A", "job"), ("B", "job"), ("C", "job")]));
        job.carry(pairs(&[("A", "first")]), Vec::new());
        let step = job.step(&pairs(&[("A", "env"), ("B", "env")]));
        assert_eq!(value(&step, "A").as_deref(), Some("first"));
        assert_eq!(value(&step, "B").as_deref(), Some("env"));
        assert_eq!(value(&step, "C").as_deref(), Some("job"));
        assert_eq!(value(&step, "D"), None);
    }

    #[test]
    fn a_unit_sees_only_what_was_set_before_its_step() {
        let job = Scope::job(&[]);
        let first = job.step(&[]);
        job.carry(pairs(&[("X", "1")]), Vec::new());
        let second = job.step(&[]);
        job.carry(pairs(&[("X", "2"), ("Y", "3")]), Vec::new());
        let third = job.step(&[]);
        assert_eq!(value(&first, "X"), None);
        assert_eq!(value(&second, "X").as_deref(), Some("1"));
        assert_eq!(value(&second, "Y"), None);
        assert_eq!(value(&third, "X").as_deref(), Some("2"));
    }

    #[test]
    fn positional_parameters_hide_the_callers() {
        let job = Scope::job(&pairs(&[("1", "caller"), ("N", "n")]));
        let called = job.step(&[]).with_positional(pairs(&[("2", "b")]));
        assert_eq!(value(&called, "1"), None);
        assert_eq!(value(&called, "2").as_deref(), Some("b"));
        assert_eq!(value(&called, "N").as_deref(), Some("n"));
    }

    #[test]
    fn values_set_on_a_branch_are_seen_by_later_steps_only() {
        let job = Scope::job(&[]);
        let loc = crate::files::Loc::new("a.yml", crate::yaml::Span::default());
        let value = ConditionalValue {
            name: "NS".into(),
            value: "prod".into(),
            when: Vec::new(),
            otherwise: false,
            loc,
        };
        let before = job.step(&[]);
        job.carry(Vec::new(), vec![value]);
        let after = job.step(&[]);
        assert!(!before.set_on_branch("NS"));
        assert!(after.set_on_branch("NS"));
        assert_eq!(after.on_branch().len(), 1);
    }
}
