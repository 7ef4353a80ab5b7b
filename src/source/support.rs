//! READ stage: small helpers shared by the CircleCI, Azure Pipelines, Bitbucket and Travis
//! readers (parsing with diagnostics, locations, script steps with line offsets).
//!
//! NOTE: this lives under `circleci/` only because readers own their own files; it is not
//! CircleCI-specific and could move to `source/` as a shared module.

use std::sync::Arc;

use crate::source::pipeline::{Loc, ReadDiagnostic, Step, Trigger, TriggerKind};
use crate::yaml::{self, Mapping, Node, ScalarStyle, Span, Value};

/// One YAML file being lowered: its repository path and text (for line offsets and for slicing
/// values that are kept verbatim).
#[derive(Clone, Debug)]
pub(crate) struct SourceText {
    /// Repository-relative path.
    pub(crate) file: String,
    /// The file's text.
    pub(crate) src: Arc<str>,
}

impl SourceText {
    /// The location of `node` in this file.
    pub(crate) fn loc(&self, node: &Node) -> Loc {
        Loc::new(&self.file, node.span)
    }

    /// A location at `span` in this file.
    pub(crate) fn loc_span(&self, span: Span) -> Loc {
        Loc::new(&self.file, span)
    }

    /// A diagnostic at `node`.
    pub(crate) fn diag(&self, code: &'static str, message: String, node: &Node) -> ReadDiagnostic {
        ReadDiagnostic {
            code,
            message,
            loc: self.loc(node),
        }
    }

    /// A trigger or condition written at `node`.
    pub(crate) fn trigger(
        &self,
        kind: TriggerKind,
        pattern: Option<String>,
        negated: bool,
        node: &Node,
    ) -> Trigger {
        Trigger {
            kind,
            pattern,
            negated,
            choices: Vec::new(),
            loc: self.loc(node),
        }
    }

    /// A script step for a scalar `node` (`None` for collections and empty values).
    pub(crate) fn script(&self, name: Option<String>, node: &Node) -> Option<Step> {
        let text = scalar(node)?;
        Some(self.script_text(name, text, node))
    }

    /// A script step whose text may differ from the scalar (parameters substituted); line offsets
    /// are kept only when they still describe `text` line by line.
    pub(crate) fn script_text(&self, name: Option<String>, text: String, node: &Node) -> Step {
        let mut line_starts = line_starts(&self.src, node);
        if line_starts.len() != text.lines().count() {
            line_starts.clear();
        }
        Step::Script {
            name,
            text,
            loc: self.loc(node),
            line_starts,
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
    diagnostics: &mut Vec<ReadDiagnostic>,
) -> Option<Node> {
    match yaml::parse_with(text, &yaml::Limits::default()) {
        Ok(parsed) => {
            for w in parsed.warnings {
                diagnostics.push(ReadDiagnostic {
                    code: "yaml-duplicate-key",
                    message: w.message,
                    loc: Loc::new(file, w.span),
                });
            }
            parsed.documents.into_iter().next()
        }
        Err(e) => {
            diagnostics.push(ReadDiagnostic {
                code: "yaml-syntax",
                message: e.message,
                loc: Loc::new(file, e.span),
            });
            None
        }
    }
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

/// For each line of a scalar's decoded text, the byte offset in `src` where that line starts.
/// Only single-line scalars and literal block scalars map line by line; others give no offsets.
pub(crate) fn line_starts(src: &str, node: &Node) -> Vec<usize> {
    let Some(text) = node.as_str() else {
        return match node.value {
            Value::Seq(_) | Value::Map(_) => Vec::new(),
            _ => vec![node.span.start],
        };
    };
    match node.style {
        ScalarStyle::Plain if !text.contains('\n') => vec![node.span.start],
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if !text.contains('\n') => {
            vec![node.span.start + 1]
        }
        ScalarStyle::Literal => literal_line_starts(src, node.span, text),
        _ => Vec::new(),
    }
}

/// Each decoded line of a literal block scalar is one source line minus the block's
/// indentation, so line `i` starts at source line `i` plus that indentation. This holds even when
/// the decoded text was rewritten afterwards (template parameters substituted).
fn literal_line_starts(src: &str, span: Span, text: &str) -> Vec<usize> {
    let count = text.lines().count();
    let Some(before) = src.get(..span.start) else {
        return Vec::new();
    };
    let begin = before.rfind('\n').map_or(0, |i| i + 1);
    let mut lines = Vec::with_capacity(count);
    let mut at = begin;
    for line in src[begin..].split('\n').take(count) {
        lines.push((at, line.trim_end_matches('\r')));
        at += line.len() + 1;
    }
    if lines.len() < count {
        return Vec::new();
    }
    let indent = lines
        .iter()
        .find(|(_, l)| !l.trim().is_empty())
        .map_or(0, |(_, l)| l.len() - l.trim_start_matches(' ').len());
    lines
        .into_iter()
        .map(|(at, l)| at + indent.min(l.len()))
        .collect()
}

#[cfg(test)]
pub(crate) mod test_repo {
    //! In-memory [`RepoFiles`] for reader tests.

    use std::collections::BTreeMap;
    use std::sync::Arc;

    use crate::source::pipeline::RepoFiles;

    /// Files by repository path.
    #[derive(Default)]
    pub(crate) struct MemRepo(pub(crate) BTreeMap<String, String>);

    impl MemRepo {
        pub(crate) fn with(files: &[(&str, &str)]) -> MemRepo {
            MemRepo(
                files
                    .iter()
                    .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
                    .collect(),
            )
        }
    }

    impl RepoFiles for MemRepo {
        fn read(&self, path: &str) -> Option<Arc<str>> {
            self.0.get(path).map(|s| Arc::from(s.as_str()))
        }

        fn glob(&self, pattern: &str) -> Vec<String> {
            // Enough for tests: `dir/*.yml` style patterns.
            let (prefix, suffix) = pattern.split_once('*').unwrap_or((pattern, ""));
            self.0
                .keys()
                .filter(|k| k.starts_with(prefix) && k.ends_with(suffix))
                .cloned()
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_value(src: &str) -> Node {
        let doc = yaml::parse(src).ok().and_then(|d| d.into_iter().next());
        let doc = doc.unwrap_or_else(|| panic!("no doc"));
        let map = doc.as_map().cloned().unwrap_or_default();
        map.entries()[0].1.clone()
    }

    #[test]
    fn literal_block_lines_map_to_source() {
        let src = "run: |\n  echo a\n\n    indented\n  last\n";
        let node = first_value(src);
        let starts = line_starts(src, &node);
        let lines: Vec<&str> = node.as_str().unwrap_or_default().lines().collect();
        assert_eq!(starts.len(), lines.len());
        for (line, at) in lines.iter().zip(&starts) {
            assert!(src[*at..].starts_with(line), "{line:?} at {at}");
        }
    }

    #[test]
    fn quoted_and_plain_lines() {
        let src = "a: 'kubectl apply'\n";
        let node = first_value(src);
        assert_eq!(line_starts(src, &node), vec![4]);
        let src = "a: >\n  folded\n  text\n";
        assert!(line_starts(src, &first_value(src)).is_empty());
    }

    #[test]
    fn syntax_errors_become_diagnostics() {
        let mut d = Vec::new();
        assert!(parse_file("x.yml", "a: [1, 2\n", &mut d).is_none());
        assert_eq!(d[0].code, "yaml-syntax");
        assert!(parse_file("x.yml", "", &mut d).is_none());
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn all_four_readers_survive_odd_inputs() {
        use crate::source::pipeline::Reader;
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
                &crate::source::circleci::CircleciReader,
            ),
            ("azure-pipelines.yml", &crate::source::azure::AzureReader),
            (
                "bitbucket-pipelines.yml",
                &crate::source::bitbucket::BitbucketReader,
            ),
            (".travis.yml", &crate::source::travis::TravisReader),
        ];
        for input in inputs {
            for (path, reader) in readers {
                let repo = test_repo::MemRepo::with(&[(path, input)]);
                let mut d = Vec::new();
                let _ = reader.read(path, &repo, &mut d);
            }
        }
    }
}
