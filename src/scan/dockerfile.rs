//! SCAN stage: Dockerfiles and the base images their `FROM` lines name, stage by stage.
//!
//! Only enough of the Dockerfile grammar is followed to find `FROM` instructions reliably:
//! the `# escape=` parser directive, line continuations, comment lines inside continuations,
//! and heredoc bodies (`RUN <<EOF ... EOF`), whose lines are not instructions.

use serde::Serialize;

/// One `FROM` instruction.
///
/// ```dockerfile
/// FROM --platform=$BUILDPLATFORM golang:1.22 AS build
/// FROM gcr.io/distroless/static
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct DockerStage {
    /// The image as written (`golang:1.22`, `${BASE}`, or the name of an earlier stage).
    pub image: String,
    /// `AS <name>`.
    pub name: Option<String>,
    /// `--platform=` value.
    pub platform: Option<String>,
    /// 1-based line of the `FROM` keyword.
    pub line: usize,
}

/// A Dockerfile (or Containerfile).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Dockerfile {
    /// Repository-relative path.
    pub file: String,
    /// Line of the first `FROM`; `None` when there is none.
    pub line: Option<usize>,
    /// The image of every `FROM`, in order, as written (stage references included).
    pub from_images: Vec<String>,
    /// Every `FROM`, with stage name and platform.
    pub stages: Vec<DockerStage>,
}

/// Whether a file name is a Dockerfile: `Dockerfile`, `Dockerfile.<x>`, `<x>.Dockerfile`,
/// `Containerfile` (and the same, lower-case), but not `Dockerfile.dockerignore`.
pub(crate) fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".dockerignore") {
        return false;
    }
    lower == "dockerfile"
        || lower == "containerfile"
        || lower
            .strip_prefix("dockerfile.")
            .is_some_and(|r| !r.is_empty())
        || lower
            .strip_prefix("containerfile.")
            .is_some_and(|r| !r.is_empty())
        || lower
            .strip_suffix(".dockerfile")
            .is_some_and(|r| !r.is_empty())
}

/// Reads the `FROM` instructions of `src`.
pub(super) fn read(file: &str, src: &str) -> Dockerfile {
    let stages = from_instructions(src);
    Dockerfile {
        file: file.to_owned(),
        line: stages.first().map(|s| s.line),
        from_images: stages.iter().map(|s| s.image.clone()).collect(),
        stages,
    }
}

fn from_instructions(src: &str) -> Vec<DockerStage> {
    let escape = escape_char(src);
    let mut stages = Vec::new();
    let mut lines = src.lines().enumerate();
    while let Some((index, raw)) = lines.next() {
        let first = raw.trim_start();
        if first.is_empty() || first.starts_with('#') {
            continue;
        }
        // Join continuation lines into one logical instruction.
        let mut logical = String::new();
        let mut current = first.trim_end();
        loop {
            match current.strip_suffix(escape) {
                Some(head) => {
                    logical.push_str(head);
                    logical.push(' ');
                    // Skip comment and blank lines inside a continuation, as Docker does.
                    let next = lines
                        .by_ref()
                        .map(|(_, l)| l.trim())
                        .find(|l| !l.starts_with('#'));
                    match next {
                        Some(l) => current = l,
                        None => break,
                    }
                }
                None => {
                    logical.push_str(current);
                    break;
                }
            }
        }
        for marker in heredoc_markers(&logical) {
            // The body runs until a line that is exactly the marker (tabs stripped for `<<-`).
            for (_, l) in lines.by_ref() {
                if l.trim_start_matches('\t').trim_end() == marker {
                    break;
                }
            }
        }
        if let Some(stage) = parse_from(&logical, index + 1) {
            stages.push(stage);
        }
    }
    stages
}

/// The escape character from a leading `# escape=` parser directive (`\` by default).
fn escape_char(src: &str) -> char {
    for line in src.lines() {
        let Some(directive) = line.trim().strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = directive.split_once('=') else {
            break;
        };
        let key = key.trim().to_ascii_lowercase();
        if key == "escape" {
            return if value.trim() == "`" { '`' } else { '\\' };
        }
        if key != "syntax" && key != "check" {
            break;
        }
    }
    '\\'
}

/// Heredoc delimiters opened on an instruction line: `<<EOF`, `<<-EOF`, `<<"EOF"`.
fn heredoc_markers(logical: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = logical;
    while let Some(at) = rest.find("<<") {
        rest = &rest[at + 2..];
        let word = rest.strip_prefix('-').unwrap_or(rest);
        let word = word.trim_start_matches(['"', '\'']);
        let marker: String = word
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !marker.is_empty() && marker.chars().next().is_some_and(|c| !c.is_ascii_digit()) {
            out.push(marker);
        }
    }
    out
}

fn parse_from(logical: &str, line: usize) -> Option<DockerStage> {
    let mut words = logical.split_whitespace();
    if !words.next()?.eq_ignore_ascii_case("FROM") {
        return None;
    }
    let mut platform = None;
    let mut image = None;
    for word in words.by_ref() {
        if let Some(flag) = word.strip_prefix("--") {
            if let Some(p) = flag.strip_prefix("platform=") {
                platform = Some(p.to_owned());
            }
            continue;
        }
        image = Some(word.to_owned());
        break;
    }
    let name = match (words.next(), words.next()) {
        (Some(kw), Some(name)) if kw.eq_ignore_ascii_case("AS") => Some(name.to_owned()),
        _ => None,
    };
    Some(DockerStage {
        image: image?,
        name,
        platform,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for yes in [
            "Dockerfile",
            "dockerfile",
            "Dockerfile.prod",
            "api.Dockerfile",
            "Containerfile",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.dockerignore",
            "Dockerfile.",
            ".Dockerfile",
            "docker-compose.yml",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }

    #[test]
    fn multi_stage_with_continuations_and_heredocs() {
        let src = "\
# syntax=docker/dockerfile:1
ARG BASE=alpine:3.20
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
RUN <<BODY
FROM not-an-instruction
BODY
RUN go build \\
  # a comment inside a continuation
  ./...
from \\
  ${BASE} as runtime
COPY --from=build /out /app
FROM runtime
";
        let d = read("Dockerfile", src);
        assert_eq!(d.from_images, ["golang:1.22", "${BASE}", "runtime"]);
        assert_eq!(d.line, Some(3));
        assert_eq!(d.stages[0].name.as_deref(), Some("build"));
        assert_eq!(d.stages[0].platform.as_deref(), Some("$BUILDPLATFORM"));
        assert_eq!(d.stages[1].line, 10);
        assert_eq!(d.stages[1].name.as_deref(), Some("runtime"));
        assert_eq!(d.stages[2].line, 13);
    }

    #[test]
    fn backtick_escape_and_empty_input() {
        let src = "# escape=`\nFROM `\n  mcr.microsoft.com/windows/servercore:ltsc2022\n";
        let d = read("Dockerfile.win", src);
        assert_eq!(
            d.from_images,
            ["mcr.microsoft.com/windows/servercore:ltsc2022"]
        );
        let empty = read("Dockerfile", "");
        assert_eq!(empty.line, None);
        assert!(
            read("Dockerfile", "FROM\nFROM --platform=x\n\\")
                .stages
                .is_empty()
        );
    }
}
