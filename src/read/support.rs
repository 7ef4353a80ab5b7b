//! READ stage: small helpers shared by the YAML readers (CircleCI, Azure Pipelines, Bitbucket,
//! Travis, and in part the others): the read-and-parse prologue, locations, script steps with
//! line offsets, empty pipelines and jobs to fill in, and (tests only) a reader harness.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::files::safe_read::Unreadable;
use crate::files::work::{self, Work};
use crate::files::{Code, Diagnostic, Loc, RepoFiles};
use crate::read::lines::layout_line_starts;
use crate::read::pipeline::{
    CiSystem, Job, Pipeline, Reader, Recognised, Step, Trigger, TriggerKind,
};
use crate::yaml::{self, Mapping, Node, Span, Value};

/// One YAML file being lowered: its repository path and text (for line offsets and for slicing
/// values that are kept verbatim).
#[derive(Clone, Debug)]
pub(crate) struct SourceText {
    /// Repository-relative path.
    pub(crate) file: Arc<str>,
    pub(crate) src: Arc<str>,
}

impl SourceText {
    /// The location of `node` in this file.
    pub(crate) fn loc(&self, node: &Node) -> Loc {
        Loc::shared(&self.file, node.span)
    }

    /// A location at `span` in this file.
    pub(crate) fn loc_span(&self, span: Span) -> Loc {
        Loc::shared(&self.file, span)
    }

    /// A diagnostic at `node`.
    pub(crate) fn diag(&self, code: Code, message: String, node: &Node) -> Diagnostic {
        Diagnostic::new(code, message, self.loc(node))
    }

    /// A [`Code`] problem at `node`: "expected {what} to be {expected}, found {its kind}".
    pub(crate) fn shape(&self, code: Code, node: &Node, what: &str, expected: &str) -> Diagnostic {
        self.diag(code, shape_message(node, what, expected), node)
    }

    /// A trigger or condition written at `node`.
    pub(crate) fn trigger(
        &self,
        kind: TriggerKind,
        pattern: Option<String>,
        negated: bool,
        node: &Node,
    ) -> Trigger {
        Trigger::new(kind, pattern, negated, self.loc(node))
    }

    /// A push to any branch: what a format means when the file filters nothing; it is written
    /// nowhere, so it is placed at the start of the file.
    pub(crate) fn every_push(&self) -> Trigger {
        self.unwritten(TriggerKind::Branch)
    }

    /// A trigger of `kind` on any ref that the format implies when the file does not say
    /// (a push to any branch, a pull request to any branch), placed at the start of the file.
    pub(crate) fn unwritten(&self, kind: TriggerKind) -> Trigger {
        Trigger::new(kind, None, false, self.loc_span(Span::empty(0)))
    }

    /// A script step for a scalar `node` (`None` for collections and empty values).
    pub(crate) fn script(&self, name: Option<String>, node: &Node) -> Option<Step> {
        let text = scalar(node)?;
        Some(self.script_text(name, text, node))
    }

    /// A script step whose text may differ from the scalar (parameters substituted); line offsets
    /// are kept only when they still describe `text` line by line.
    pub(crate) fn script_text(&self, name: Option<String>, text: String, node: &Node) -> Step {
        let written = scalar(node).unwrap_or_default();
        let mut line_starts = layout_line_starts(&self.src, node, &written);
        if line_starts.len() != text.lines().count() {
            line_starts.clear();
        }
        Step::Script {
            name,
            text,
            loc: self.loc(node),
            line_starts,
            dir: None,
            env: Vec::new(),
            when: Vec::new(),
        }
    }

    /// A value kept as text: scalars as their text, collections as their source slice.
    pub(crate) fn value_text(&self, node: &Node) -> String {
        match &node.value {
            Value::Seq(_) | Value::Map(_) => self
                .src
                .get(node.span.range())
                .map(|s| s.trim().to_owned())
                .unwrap_or_default(),
            _ => node.scalar_text().unwrap_or_default(),
        }
    }

    /// `(key, value)` pairs of a mapping, values as [`SourceText::value_text`].
    pub(crate) fn pairs(&self, map: &Mapping) -> Vec<(String, String)> {
        map.iter()
            .filter_map(|(k, v)| Some((k.scalar_text()?, self.value_text(v))))
            .collect()
    }
}

/// Parses `text` as the file `file`, reporting syntax errors as `yaml-syntax` and duplicate keys
/// as `yaml-duplicate-key`. Returns the first document; an empty file gives `None` silently
/// (an empty config is not an error, just nothing to read).
pub(crate) fn parse_file(
    file: &str,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Node> {
    match yaml::parse_with(text, &yaml::Limits::default()) {
        Ok(parsed) => {
            for w in parsed.warnings {
                diagnostics.push(Diagnostic::new(
                    Code::YamlDuplicateKey,
                    w.message,
                    Loc::new(file, w.span),
                ));
            }
            parsed.documents.into_iter().next()
        }
        Err(e) => {
            diagnostics.push(Diagnostic::new(e.code(), e.message, Loc::new(file, e.span)));
            None
        }
    }
}

/// "expected {what} to be {expected}, found {the kind of `node`}".
pub(crate) fn shape_message(node: &Node, what: &str, expected: &str) -> String {
    let found = node.kind_name();
    format!("expected {what} to be {expected}, found {found}")
}

/// Scalar text of a node; `None` for collections and empty values.
pub(crate) fn scalar(node: &Node) -> Option<String> {
    node.scalar_text()
}

/// A scalar or each scalar of a sequence (`only: main` and `only: [main, dev]` alike).
pub(crate) fn scalars(node: &Node) -> Vec<(String, &Node)> {
    match &node.value {
        Value::Seq(items) => items.iter().filter_map(|n| Some((scalar(n)?, n))).collect(),
        Value::Map(_) => Vec::new(),
        _ => scalar(node).map(|s| vec![(s, node)]).unwrap_or_default(),
    }
}

/// The single `(key, value)` entry of a one-key mapping such as `- run: ...`.
pub(crate) fn single_entry(node: &Node) -> Option<(&Node, &Node)> {
    let map = node.as_map()?;
    let (k, v) = map.entries().first()?;
    Some((k, v))
}

/// Key text of a mapping entry.
pub(crate) fn key_text(key: &Node) -> String {
    scalar(key).unwrap_or_default()
}

/// A single-file YAML CI format (CircleCI, Azure Pipelines, Bitbucket, Travis). Each is a
/// [`Reader`] through the prologue they share: read the file, parse it (see [`parse_file`]) and
/// check that the document is a mapping, reporting anything else as a [`YamlFormat::SHAPE`]
/// problem ("expected the {WHAT} to be a mapping, found ...").
pub(crate) trait YamlFormat {
    /// The CI system whose pipelines this format holds.
    const SYSTEM: CiSystem;
    /// The code of shape problems, from the root down.
    const SHAPE: Code;
    /// What the format calls its file, for messages about its root.
    const WHAT: &'static str;

    /// Whether `path` (repository-relative) is a file of this format.
    fn claims(path: &str) -> bool;

    /// Whether an unclaimed file, at `path` with `text`, is a file of this format
    /// ([`Reader::recognises`]).
    fn recognises(_path: &str, _text: &str) -> bool {
        false
    }

    /// Whether an unclaimed, unrecognised file is a pipeline of this format when no pipeline
    /// of the repository includes it ([`Recognised::UnlessIncluded`]).
    fn pipeline_unless_included(_path: &str, _text: &str) -> bool {
        false
    }

    /// The file names a file of this format includes as templates ([`Reader::templates_named`]).
    fn templates_named(_text: &str, _out: &mut HashSet<String>) {}

    /// Lowers the file whose root mapping is `root` into `file.pipeline`.
    fn lower(file: YamlFile<'_>, root: &Mapping) -> Pipeline;
}

/// A file of a [`YamlFormat`], parsed, with what lowering it needs.
pub(crate) struct YamlFile<'a> {
    pub(crate) st: SourceText,
    /// The other files of the repository (templates the file includes).
    pub(crate) repo: &'a dyn RepoFiles,
    pub(crate) diagnostics: &'a mut Vec<Diagnostic>,
    /// The pipeline to fill in: its file and system are set, nothing else.
    pub(crate) pipeline: Pipeline,
    /// The span of the whole document, for problems with the file as a whole.
    pub(crate) root_span: Span,
}

impl<F: YamlFormat> Reader for F {
    fn claims(&self, path: &str) -> bool {
        F::claims(path)
    }

    fn recognises(&self, path: &str, repo: &dyn RepoFiles) -> bool {
        (path.ends_with(".yml") || path.ends_with(".yaml"))
            && repo
                .text_lent(path)
                .is_ok_and(|text| F::recognises(path, &text))
    }

    fn recognition(&self, path: &str, repo: &dyn RepoFiles) -> Recognised {
        if !(path.ends_with(".yml") || path.ends_with(".yaml")) {
            return Recognised::No;
        }
        match repo.text_lent(path) {
            Ok(text) if F::recognises(path, &text) => Recognised::Pipeline,
            Ok(text) if F::pipeline_unless_included(path, &text) => Recognised::UnlessIncluded,
            _ => Recognised::No,
        }
    }

    fn templates_named(&self, text: &str, out: &mut HashSet<String>) {
        F::templates_named(text, out);
    }

    fn read(
        &self,
        path: &str,
        repo: &dyn RepoFiles,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Pipeline> {
        let src = claimed_text(repo, path, Code::FileUnreadable, diagnostics)?;
        let root = parse_file(path, &src, diagnostics)?;
        let st = SourceText {
            file: Arc::from(path),
            src,
        };
        let Some(map) = root.as_map() else {
            let what = format!("the {}", F::WHAT);
            diagnostics.push(st.shape(F::SHAPE, &root, &what, "a mapping"));
            return None;
        };
        let file = YamlFile {
            st,
            repo,
            diagnostics,
            pipeline: empty_pipeline(path, F::SYSTEM),
            root_span: root.span,
        };
        Some(F::lower(file, map))
    }
}

/// The text of the pipeline file `path` a reader claimed, or a diagnostic saying why there is
/// none: `missing` when the file does not exist, otherwise the code of the reason (a binary
/// file is `file-not-text`, not a missing file).
pub(crate) fn claimed_text(
    repo: &dyn RepoFiles,
    path: &str,
    missing: Code,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Arc<str>> {
    match repo.text(path) {
        Ok(text) => Some(text),
        Err(Unreadable::Missing) => {
            diagnostics.push(Diagnostic::new(
                missing,
                format!("cannot read `{path}`: it does not exist"),
                Loc::new(path, Span::empty(0)),
            ));
            None
        }
        Err(why) => {
            diagnostics.push(Diagnostic::not_analysed(path, &why));
            None
        }
    }
}

/// Unique job ids within one pipeline, for formats whose jobs may share a name: a repeated
/// id gets `#2`, `#3`, ... in the order met. Each id costs a lookup, not a scan of the jobs
/// so far, so a file of thousands of steps named alike stays linear.
#[derive(Debug, Default)]
pub(crate) struct JobIds {
    taken: HashSet<String>,
    /// The next suffix to try for each repeated base.
    next: HashMap<String, usize>,
}

impl JobIds {
    /// `base` if no job has it yet, otherwise `base#n` for the lowest `n` from 2 not taken.
    pub(crate) fn unique(&mut self, base: String) -> String {
        work::count(Work::IdProbes, 1);
        if !self.taken.contains(&base) {
            self.taken.insert(base.clone());
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(2);
        loop {
            work::count(Work::IdProbes, 1);
            let id = format!("{base}#{n}");
            *n += 1;
            if !self.taken.contains(&id) {
                self.taken.insert(id.clone());
                return id;
            }
        }
    }
}

/// A pipeline of `system` read from `file`, with nothing in it yet.
pub(crate) fn empty_pipeline(file: &str, system: CiSystem) -> Pipeline {
    Pipeline {
        file: file.to_owned(),
        system,
        name: None,
        triggers: Vec::new(),
        jobs: Vec::new(),
        variables: Vec::new(),
        conditional_variables: Vec::new(),
        unresolved: Vec::new(),
        best_effort: false,
    }
}

/// A variable name as shells and Groovy spell it: a letter or `_`, then letters, digits or `_`.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A job written at `loc`, with no stage, conditions or steps yet.
/// The file a template or reusable-workflow reference names, without its folder, its
/// `@repository` or `@version` and its `.yml`/`.yaml` (`jobs/deploy-api-dev.yml@pipelines` and
/// `org/wf/.github/workflows/deploy-api-dev.yaml@v1` → `deploy-api-dev`).
pub(crate) fn reference_stem(reference: &str) -> &str {
    let path = reference.split('@').next().unwrap_or(reference);
    let file = path.rsplit('/').next().unwrap_or(path);
    file.strip_suffix(".yml")
        .or_else(|| file.strip_suffix(".yaml"))
        .unwrap_or(file)
}

pub(crate) fn empty_job(id: String, name: String, loc: Loc) -> Job {
    Job {
        id,
        name,
        stage: None,
        needs: Vec::new(),
        environment: None,
        conditions: Vec::new(),
        manual: false,
        matrix: Vec::new(),
        variables: Vec::new(),
        outputs: Vec::new(),
        through: Vec::new(),
        steps: Vec::new(),
        extends_unread: Vec::new(),
        loc,
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Reader test harness: reads one file from an in-memory repository.

    use crate::files::repo::MemRepo;
    use crate::files::{Diagnostic, Loc};
    use crate::read::pipeline::{Job, Pipeline, Reader, Step, Trigger, TriggerKind};

    /// The codes of `diagnostics`, in order, as spelled.
    pub(crate) fn codes(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
        diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    /// Reads `path` with `reader` from `repo`.
    pub(crate) fn read_repo(
        reader: &dyn Reader,
        path: &str,
        repo: &MemRepo,
    ) -> (Option<Pipeline>, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let pipeline = reader.read(path, repo, &mut diagnostics);
        (pipeline, diagnostics)
    }

    /// Reads `path` with `reader` from a repository holding `files`.
    pub(crate) fn read_files(
        reader: &dyn Reader,
        path: &str,
        files: &[(&str, &str)],
    ) -> (Option<Pipeline>, Vec<Diagnostic>) {
        read_repo(reader, path, &MemRepo::from_pairs(files))
    }

    /// Reads `src` as the file `path` with `reader`.
    pub(crate) fn read(
        reader: &dyn Reader,
        path: &str,
        src: &str,
    ) -> (Option<Pipeline>, Vec<Diagnostic>) {
        read_files(reader, path, &[(path, src)])
    }

    /// Reads `src` as the file `path`, failing the test when no pipeline comes out.
    pub(crate) fn pipeline(reader: &dyn Reader, path: &str, src: &str) -> Pipeline {
        let (p, diagnostics) = read(reader, path, src);
        p.unwrap_or_else(|| panic!("no pipeline; diagnostics: {diagnostics:?}"))
    }

    /// The job `id` of `p`, failing the test when there is none.
    pub(crate) fn job<'p>(p: &'p Pipeline, id: &str) -> &'p Job {
        p.jobs
            .iter()
            .find(|j| j.id == id)
            .unwrap_or_else(|| panic!("no job `{id}` in {:?}", ids(p)))
    }

    /// Ids of the jobs of `p`, in order.
    pub(crate) fn ids(p: &Pipeline) -> Vec<&str> {
        p.jobs.iter().map(|j| j.id.as_str()).collect()
    }

    /// The text at `loc` in the repository `repo` (a marker when it is out of range).
    pub(crate) fn loc_text<'r>(repo: &'r MemRepo, loc: &Loc) -> &'r str {
        let file = repo.0.get(&*loc.file).map_or("", String::as_str);
        file.get(loc.span.range()).unwrap_or("<out of range>")
    }

    /// The texts of the script steps of `job`, in order.
    pub(crate) fn scripts(job: &Job) -> Vec<&str> {
        job.steps
            .iter()
            .filter_map(|s| match s {
                Step::Script { text, .. } => Some(text.as_str()),
                Step::Action { .. } => None,
            })
            .collect()
    }

    /// An owned `(kind, pattern, negated)` triple, as [`conds`] gives.
    pub(crate) fn cond(
        kind: TriggerKind,
        pattern: Option<&str>,
        negated: bool,
    ) -> (TriggerKind, Option<String>, bool) {
        (kind, pattern.map(str::to_owned), negated)
    }

    /// Triggers as owned `(kind, pattern, negated)` triples.
    pub(crate) fn conds(triggers: &[Trigger]) -> Vec<(TriggerKind, Option<String>, bool)> {
        triggers
            .iter()
            .map(|t| (t.kind.clone(), t.pattern.clone(), t.negated))
            .collect()
    }

    /// Each step's own conditions, in step order.
    pub(crate) fn step_conds(job: &Job) -> Vec<Vec<(TriggerKind, Option<String>, bool)>> {
        job.steps
            .iter()
            .map(|s| match s {
                Step::Script { when, .. } | Step::Action { when, .. } => conds(when),
            })
            .collect()
    }

    /// The text of `src` at `loc`.
    pub(crate) fn at<'s>(src: &'s str, loc: &Loc) -> &'s str {
        &src[loc.span.range()]
    }

    /// Triggers as `(kind, pattern, negated)` for compact assertions.
    pub(crate) fn kinds(ts: &[Trigger]) -> Vec<(TriggerKind, Option<&str>, bool)> {
        ts.iter()
            .map(|t| (t.kind.clone(), t.pattern.as_deref(), t.negated))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_become_diagnostics() {
        let mut d = Vec::new();
        assert!(parse_file("x.yml", "a: [1, 2\n", &mut d).is_none());
        assert_eq!(d[0].code.as_str(), "yaml-syntax");
        assert!(parse_file("x.yml", "", &mut d).is_none());
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn all_four_readers_survive_odd_inputs() {
        use crate::read::pipeline::Reader;
        let inputs = [
            "",
            "~",
            "[]",
            "é: €\n",
            "jobs: {a: {steps: [{run: {command: [1]}}]}}\nworkflows: {w: {jobs: [{a: 3}]}}\n",
            "stages: [{stage: s, jobs: [{deployment: d, environment: {}, strategy: 3}]}]\n",
            "jobs: [{job: a, steps: [{template: '${{ parameters.x }}'}, {task: {}}]}]\n",
            "pipelines: {branches: {main: [{parallel: {steps: 3}}, {stage: []}]}}\n",
            "pipelines: {custom: {x: [{variables: 1}, {step: {script: [{pipe: {}}]}}]}}\n",
            "jobs: {include: [{deploy: [{provider: script, script: {}}], if: 'branch = é OR'}]}\n",
            "trigger: {branches: 1, tags: {include: {}}}\npr: {}\nschedules: 3\n",
        ];
        let readers: [(&str, &dyn Reader); 4] = [
            (
                ".circleci/config.yml",
                &crate::read::circleci::CircleciReader,
            ),
            ("azure-pipelines.yml", &crate::read::azure::AzureReader),
            (
                "bitbucket-pipelines.yml",
                &crate::read::bitbucket::BitbucketReader,
            ),
            (".travis.yml", &crate::read::travis::TravisReader),
        ];
        for input in inputs {
            for (path, reader) in readers {
                let _ = test_support::read(reader, path, input);
            }
        }
    }
}
