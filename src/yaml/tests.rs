//! End-to-end tests of `parse`/`parse_with` (spans, schema, aliases, merges, limits).

use super::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn one(src: &str) -> Result<Node, YamlError> {
    let mut docs = parse(src)?;
    assert_eq!(docs.len(), 1, "expected one document in {src:?}");
    docs.pop()
        .ok_or_else(|| YamlError::new("no document", Span::default()))
}

fn map(node: &Node) -> &Mapping {
    match node.as_map() {
        Some(m) => m,
        None => panic!("expected a mapping, got {node:?}"),
    }
}

fn get<'n>(node: &'n Node, key: &str) -> &'n Node {
    match map(node).get(key) {
        Some(v) => v,
        None => panic!("missing key {key}"),
    }
}

fn text(src: &str, span: Span) -> &str {
    &src[span.start..span.end]
}

fn keys(node: &Node) -> Vec<String> {
    map(node)
        .entries()
        .iter()
        .filter_map(|(k, _)| k.scalar_text())
        .collect()
}

#[test]
fn core_schema_values() -> TestResult {
    let src = "a: null\nb: ~\nc:\nd: true\ne: False\nf: 42\ng: 0x1f\nh: 0o17\ni: 1.5\nj: .inf\n\
               k: -.Inf\nl: .nan\nm: yes\nn: off\no: \"5\"\np: '~'\nq: |\n  7\nr: 99999999999999999999\n\
               on: push\ns: 1e3\n";
    let doc = one(src)?;
    assert!(get(&doc, "a").is_null() && get(&doc, "b").is_null() && get(&doc, "c").is_null());
    assert_eq!(get(&doc, "d").as_bool(), Some(true));
    assert_eq!(get(&doc, "e").as_bool(), Some(false));
    assert_eq!(get(&doc, "f").as_i64(), Some(42));
    assert_eq!(get(&doc, "g").as_i64(), Some(31));
    assert_eq!(get(&doc, "h").as_i64(), Some(15));
    assert_eq!(get(&doc, "i").value, Value::Float(1.5));
    assert_eq!(get(&doc, "j").value, Value::Float(f64::INFINITY));
    assert_eq!(get(&doc, "k").value, Value::Float(f64::NEG_INFINITY));
    assert!(matches!(get(&doc, "l").value, Value::Float(f) if f.is_nan()));
    assert_eq!(get(&doc, "m").as_str(), Some("yes"));
    assert_eq!(get(&doc, "n").as_str(), Some("off"));
    assert_eq!(get(&doc, "o").as_str(), Some("5"));
    assert_eq!(get(&doc, "o").style, ScalarStyle::DoubleQuoted);
    assert_eq!(get(&doc, "p").as_str(), Some("~"));
    assert_eq!(get(&doc, "q").as_str(), Some("7\n"));
    assert_eq!(get(&doc, "q").style, ScalarStyle::Literal);
    assert_eq!(get(&doc, "r").as_str(), Some("99999999999999999999"));
    assert_eq!(get(&doc, "s").value, Value::Float(1000.0));
    // GitHub Actions' `on:` must stay a string key, not a boolean.
    let (on_key, on_value) = map(&doc).get_entry("on").ok_or("no `on` key")?;
    assert_eq!(on_key.as_str(), Some("on"));
    assert_eq!(on_value.as_str(), Some("push"));
    assert_eq!(get(&doc, "c").scalar_text(), None);
    assert_eq!(get(&doc, "b").scalar_text().as_deref(), Some("null"));
    Ok(())
}

#[test]
fn non_string_keys_are_found_by_text() -> TestResult {
    let doc = one("1: one\ntrue: yes\n\"2\": two\n")?;
    assert_eq!(get(&doc, "1").as_str(), Some("one"));
    assert_eq!(get(&doc, "true").as_str(), Some("yes"));
    assert_eq!(get(&doc, "2").as_str(), Some("two"));
    assert_eq!(map(&doc).entries()[0].0.as_i64(), Some(1));
    Ok(())
}

#[test]
fn spans_are_byte_exact() -> TestResult {
    let src = "# head\nname: web   # trailing\nquoted: \"a \\\" b\"  # c\nsingle: 'it''s'\n\
               list:\n  - one\n  - two words\nflow: {k: v, n: [1, 2]}\nblock: |\n  line1\n  line2\n\n\
               tagged: !!str 123\nanchored: &a  value\nmulti: first\n  second\nlast:\n";
    let doc = one(src)?;
    let m = map(&doc);
    let (k, v) = m.get_entry("name").ok_or("name")?;
    assert_eq!(text(src, k.span), "name");
    assert_eq!(text(src, v.span), "web");
    assert_eq!(text(src, get(&doc, "quoted").span), "\"a \\\" b\"");
    assert_eq!(get(&doc, "quoted").as_str(), Some("a \" b"));
    assert_eq!(text(src, get(&doc, "single").span), "'it''s'");
    let list = get(&doc, "list");
    assert_eq!(text(src, list.span), "- one\n  - two words");
    let items = list.as_seq().ok_or("seq")?;
    assert_eq!(text(src, items[1].span), "two words");
    let flow = get(&doc, "flow");
    assert_eq!(text(src, flow.span), "{k: v, n: [1, 2]}");
    assert_eq!(text(src, get(flow, "n").span), "[1, 2]");
    assert_eq!(text(src, get(flow, "k").span), "v");
    assert_eq!(text(src, get(&doc, "block").span), "line1\n  line2");
    let tagged = get(&doc, "tagged");
    assert_eq!(text(src, tagged.span), "123");
    assert_eq!(tagged.as_str(), Some("123"));
    assert_eq!(tagged.tag.as_deref(), Some("!!str"));
    assert_eq!(text(src, get(&doc, "anchored").span), "value");
    assert_eq!(text(src, get(&doc, "multi").span), "first\n  second");
    assert!(get(&doc, "last").span.is_empty());
    // The root block mapping runs from its first key to the end of its last value.
    assert_eq!(doc.span.start, src.find("name").ok_or("name")?);
    // An empty last value has an empty span at its `:`, so the mapping ends after the key.
    assert_eq!(
        doc.span.end,
        src.find("last:").ok_or("last")? + "last".len()
    );
    Ok(())
}

#[test]
fn tagged_block_scalar_spans_content() -> TestResult {
    let src = "a: !!str |\n  hello\nb: !t >-\n  folded\n";
    let doc = one(src)?;
    assert_eq!(text(src, get(&doc, "a").span), "hello");
    assert_eq!(text(src, get(&doc, "b").span), "folded");
    Ok(())
}

#[test]
fn non_ascii_offsets() -> TestResult {
    let src = "name: \"héllo\"\nport: 1\nemoji: 🎉 ok\n";
    let doc = one(src)?;
    let (k, v) = map(&doc).get_entry("port").ok_or("port")?;
    assert_eq!(text(src, k.span), "port");
    assert_eq!(text(src, v.span), "1");
    assert_eq!(text(src, get(&doc, "name").span), "\"héllo\"");
    assert_eq!(text(src, get(&doc, "emoji").span), "🎉 ok");

    let bom = "\u{feff}a: b\n";
    let doc = one(bom)?;
    let (k, _) = &map(&doc).entries()[0];
    assert_eq!(text(bom, k.span), "a");
    Ok(())
}

#[test]
fn non_ascii_error_offset() {
    let src = "ключ: \"значение\"\nbad: [1, 2\n";
    let err = parse(src).err().map(|e| e.span);
    let span = err.unwrap_or_default();
    assert!(src.is_char_boundary(span.start) && src.is_char_boundary(span.end));
    assert!(span.start >= src.find("bad").unwrap_or(0), "{span:?}");
}

#[test]
fn anchors_and_aliases() -> TestResult {
    let src = "base: &b\n  image: alpine\n  tags: [x, y]\nuse: *b\nscalar: &s 5\nagain: *s\n";
    let doc = one(src)?;
    let base = get(&doc, "base");
    let used = get(&doc, "use");
    assert_eq!(text(src, used.span), "*b");
    assert_eq!(used.as_map(), base.as_map());
    // Inside the copy, spans still point at the anchored definition.
    assert_eq!(text(src, get(used, "image").span), "alpine");
    assert_eq!(get(&doc, "again").as_i64(), Some(5));
    assert_eq!(text(src, get(&doc, "again").span), "*s");
    Ok(())
}

#[test]
fn anchor_redefinition_uses_latest() -> TestResult {
    let doc = one("- &a 1\n- *a\n- &a 2\n- *a\n")?;
    let items: Vec<_> = doc
        .as_seq()
        .ok_or("seq")?
        .iter()
        .filter_map(Node::as_i64)
        .collect();
    assert_eq!(items, [1, 1, 2, 2]);
    Ok(())
}

#[test]
fn unknown_and_recursive_aliases_error() {
    let src = "a: *nope\n";
    let err = parse(src).err();
    assert!(
        err.as_ref().is_some_and(|e| e.message.contains("`*nope`")),
        "{err:?}"
    );
    assert_eq!(
        err.map(|e| text(src, e.span).to_owned()).as_deref(),
        Some("*nope")
    );

    let err = parse("a: &x [1, *x]\n").err();
    assert!(err.is_some(), "recursive alias must fail");
}

#[test]
fn merge_single_and_list() -> TestResult {
    let src = "\
one: &one {a: 1, b: 1, c: 1}
two: &two {b: 2, d: 2}
single:
  a: explicit
  <<: *one
list:
  <<: [*two, *one]
  c: explicit
";
    let doc = one(src)?;
    let single = get(&doc, "single");
    assert_eq!(get(single, "a").as_str(), Some("explicit"));
    assert_eq!(get(single, "b").as_i64(), Some(1));
    assert_eq!(keys(single), ["a", "b", "c"]);
    assert!(map(single).get("<<").is_none());

    let list = get(&doc, "list");
    // Explicit key wins even though it appears after the merge.
    assert_eq!(get(list, "c").as_str(), Some("explicit"));
    // Earlier merge source wins.
    assert_eq!(get(list, "b").as_i64(), Some(2));
    assert_eq!(get(list, "d").as_i64(), Some(2));
    assert_eq!(get(list, "a").as_i64(), Some(1));
    assert_eq!(keys(list), ["c", "b", "d", "a"]);
    // Merged keys override nothing, so no duplicate warnings.
    let parsed = parse_with(src, &Limits::default())?;
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    Ok(())
}

#[test]
fn quoted_merge_key_is_ordinary() -> TestResult {
    let doc = one("\"<<\": {a: 1}\n")?;
    assert!(get(&doc, "<<").as_map().is_some());
    Ok(())
}

#[test]
fn bad_merge_value_errors_at_value() {
    let src = "a:\n  <<: oops\n";
    let err = parse(src).err();
    assert_eq!(
        err.as_ref().map(|e| &src[e.span.start..e.span.end]),
        Some("oops"),
        "{err:?}"
    );
    let src = "a:\n  <<: [{x: 1}, 3]\n";
    let err = parse(src).err();
    assert_eq!(
        err.as_ref().map(|e| &src[e.span.start..e.span.end]),
        Some("3"),
        "{err:?}"
    );
}

#[test]
fn tags_are_kept() -> TestResult {
    let src = "script:\n  - !reference [.setup, script]\n  - echo\nlocal: !Ref name\nv: !<tag:yaml.org,2002:int> \"7\"\n";
    let doc = one(src)?;
    let first = &get(&doc, "script").as_seq().ok_or("seq")?[0];
    assert_eq!(first.tag.as_deref(), Some("!reference"));
    let parts: Vec<_> = first
        .as_seq()
        .ok_or("seq")?
        .iter()
        .filter_map(Node::as_str)
        .collect();
    assert_eq!(parts, [".setup", "script"]);
    assert_eq!(text(src, first.span), "!reference [.setup, script]");
    assert_eq!(get(&doc, "local").tag.as_deref(), Some("!Ref"));
    assert_eq!(get(&doc, "local").as_str(), Some("name"));
    assert_eq!(get(&doc, "v").tag.as_deref(), Some("!!int"));
    assert_eq!(get(&doc, "v").as_i64(), Some(7));
    Ok(())
}

#[test]
fn invalid_core_tags_error() {
    for src in [
        "a: !!int abc\n",
        "a: !!bool yes\n",
        "a: !!map [1]\n",
        "a: !!str {b: c}\n",
    ] {
        let err = parse(src).err();
        assert!(
            err.as_ref().is_some_and(|e| e.span.start == 3),
            "{src:?}: {err:?}"
        );
    }
}

#[test]
fn duplicate_keys_warn_and_later_wins() -> TestResult {
    let src = "a: 1\nb: 2\na: 3\n";
    let parsed = parse_with(src, &Limits::default())?;
    assert_eq!(parsed.warnings.len(), 1);
    let w = &parsed.warnings[0];
    assert_eq!(w.span.start, 10);
    assert_eq!(text(src, w.span), "a");
    assert!(
        w.message.contains("`a`") && w.message.contains("line 1"),
        "{}",
        w.message
    );
    let doc = &parsed.documents[0];
    assert_eq!(get(doc, "a").as_i64(), Some(3));
    assert_eq!(keys(doc), ["a", "b"]);
    Ok(())
}

#[test]
fn nested_duplicate_warnings_in_source_order() -> TestResult {
    let src = "x: 1\nx: 2\ninner:\n  y: 1\n  y: 2\n";
    let parsed = parse_with(src, &Limits::default())?;
    let starts: Vec<_> = parsed.warnings.iter().map(|w| w.span.start).collect();
    assert_eq!(starts, [5, 26]);
    Ok(())
}

#[test]
fn depth_guard_flow_200k() {
    let src = "[".repeat(200_000);
    assert!(parse(&src).is_err());
    let src = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    assert!(parse(&src).is_err());
    let src = "{a: ".repeat(200_000);
    assert!(parse(&src).is_err());
}

#[test]
fn depth_guard_block_200k() {
    let src = format!("{}x\n", "- ".repeat(200_000));
    let err = parse(&src).err();
    assert!(
        err.as_ref()
            .is_some_and(|e| e.message.contains("depth limit of 256")),
        "{err:?}"
    );

    let mut nested = String::new();
    for i in 0..300 {
        nested.push_str(&" ".repeat(i));
        nested.push_str("k:\n");
    }
    let err = parse(&nested).err();
    assert!(
        err.as_ref()
            .is_some_and(|e| e.message.contains("mapping nesting")),
        "{err:?}"
    );
}

#[test]
fn depth_limit_is_exact() {
    let limits = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    assert!(parse_with("[[[1]]]", &limits).is_ok());
    assert!(parse_with("[[[[1]]]]", &limits).is_err());
    // Aliases cannot be used to exceed the depth limit.
    assert!(parse_with("- &a [[1]]\n- [*a]\n", &limits).is_err());
    assert!(parse_with("- &a [[1]]\n- *a\n", &limits).is_ok());
}

#[test]
fn billion_laughs_is_rejected_quickly() {
    let mut src = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..9 {
        let p = i - 1;
        let refs = vec![format!("*a{p}"); 10].join(", ");
        let line = format!("a{i}: &a{i} [{refs}]\n");
        src.push_str(&line);
    }
    let started = std::time::Instant::now();
    let err = parse(&src).err();
    assert!(
        err.as_ref()
            .is_some_and(|e| e.message.contains("alias expansion")),
        "{err:?}"
    );
    assert!(started.elapsed().as_secs() < 2);

    let limits = Limits {
        max_alias_expansions: 5,
        ..Limits::default()
    };
    assert!(parse_with("a: &a [1, 2]\nb: *a\n", &limits).is_ok());
    assert!(parse_with("a: &a [1, 2]\nb: *a\nc: *a\n", &limits).is_err());
}

#[test]
fn malformed_input_errors_with_offset() {
    let src = "a: 1\nb: [1, 2\nc: 3\n";
    let err = parse(src).err();
    let e = err.as_ref();
    assert!(
        e.is_some_and(|e| e.span.start > 4 && e.span.end <= src.len()),
        "{err:?}"
    );
    assert!(e.is_some_and(|e| !e.message.contains("line ")), "{err:?}");
    let src = "a: b\n  c: d\n";
    let err = parse(src).err();
    assert!(err.as_ref().is_some_and(|e| e.span.start >= 5), "{err:?}");
    let src = "key: \"unterminated\n";
    assert!(parse(src).is_err());
    assert!(parse("a: !!int\n").is_err());
}

#[test]
fn multi_document_streams() -> TestResult {
    let docs = parse("a: 1\n---\nb: 2\n--- text\n...\n")?;
    assert_eq!(docs.len(), 3);
    assert_eq!(get(&docs[1], "b").as_i64(), Some(2));
    assert_eq!(docs[2].as_str(), Some("text"));

    assert!(parse("")?.is_empty());
    assert!(parse("# only a comment\n\n")?.is_empty());
    let empty = parse("---\n")?;
    assert_eq!(empty.len(), 1);
    assert!(empty[0].is_null());

    // Aliases do not cross documents.
    assert!(parse("a: &x 1\n---\nb: *x\n").is_err());
    Ok(())
}

const SAMPLE: &str = "\
# sample pipeline
name: ci
on:
  push: {branches: [main]}
defaults: &d
  image: \"rust:1.95\"
  retries: 2
jobs:
  build:
    <<: *d
    script:
      - cargo build
      - !reference [.setup, script]
    notes: |
      multi
      line é
  test: {<<: *d, retries: 3, x: 'q''s'}
flags: [on, off, ~, 0x1f, .inf]
";

fn mutations(src: &str) -> impl Iterator<Item = String> + '_ {
    let prefixes = (0..=src.len())
        .filter(|&i| src.is_char_boundary(i))
        .map(|i| src[..i].to_owned());
    let flips = src.char_indices().flat_map(move |(i, c)| {
        [
            '[', '{', ':', '*', '&', '!', '"', '\'', '-', '\n', ' ', '#', '|', '\t', 'é', '\0',
        ]
        .into_iter()
        .map(move |r| {
            let mut s = src[..i].to_owned();
            s.push(r);
            s.push_str(&src[i + c.len_utf8()..]);
            s
        })
    });
    prefixes.chain(flips)
}

#[test]
fn never_panics_on_mutated_input() {
    assert!(SAMPLE.len() >= 300);
    assert!(parse(SAMPLE).is_ok());
    for input in mutations(SAMPLE) {
        match parse_with(&input, &Limits::default()) {
            Ok(parsed) => {
                for w in &parsed.warnings {
                    assert!(input.get(w.span.start..w.span.end).is_some(), "{input:?}");
                }
                for doc in &parsed.documents {
                    check_spans(&input, doc);
                }
            }
            Err(e) => {
                assert!(
                    input.get(e.span.start..e.span.end).is_some(),
                    "{input:?}: {e:?}"
                );
                assert!(!e.message.is_empty());
            }
        }
    }
}

/// Every span must slice the source on char boundaries, iteratively to match the builder.
fn check_spans(src: &str, root: &Node) {
    let mut todo = vec![root];
    while let Some(n) = todo.pop() {
        assert!(
            src.get(n.span.start..n.span.end).is_some(),
            "{src:?}: {:?}",
            n.span
        );
        match &n.value {
            Value::Seq(items) => todo.extend(items),
            Value::Map(m) => todo.extend(m.entries().iter().flat_map(|(k, v)| [k, v])),
            _ => {}
        }
    }
}

#[test]
fn alias_expansion_is_capped_by_bytes() {
    // 100 aliases of one 100 KB string: few nodes, but 10 MB of copied text.
    let mut src = format!("a: &a \"{}\"\nb:\n", "x".repeat(100_000));
    for _ in 0..100 {
        src.push_str("  - *a\n");
    }
    let err = parse(&src).err();
    assert!(
        err.as_ref().is_some_and(|e| e.message
            == "alias expansion exceeds the limit of 4194304 bytes (4 MiB) of copied text"
            && e.is_limit()),
        "{err:?}"
    );
    // The error points at the alias that crossed the limit.
    let at = err.map_or(0, |e| e.span.start);
    assert_eq!(src.get(at..at + 2), Some("*a"));
    // Up to the limit is fine.
    let mut src = format!("a: &a \"{}\"\nb:\n", "x".repeat(100_000));
    for _ in 0..40 {
        src.push_str("  - *a\n");
    }
    assert!(parse(&src).is_ok());
}

/// The libyaml corpus in `tests/fixtures/yaml-libyaml/`: every file whose name starts with
/// `reject-` is refused by libyaml (GitLab's parser), every other one is accepted, and so must
/// ours be. `scripts/yaml-libyaml-verdicts.py` checks the recorded verdicts against PyYAML's
/// libyaml loader, so this test does not need it.
#[test]
fn libyaml_corpus_verdicts_match() -> TestResult {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/yaml-libyaml");
    let mut wrong = Vec::new();
    let mut seen = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_owned();
        if !name.ends_with(".yaml") {
            continue;
        }
        seen += 1;
        let src = std::fs::read_to_string(&path)?;
        let accepts = !name.starts_with("reject-");
        let result = parse(&src);
        if let Ok(docs) = &result {
            docs.iter().for_each(|d| check_spans(&src, d));
        }
        if result.is_ok() != accepts {
            wrong.push(format!("{name}: {result:?}"));
        }
    }
    assert!(seen >= 20, "corpus not found ({seen} files)");
    assert!(
        wrong.is_empty(),
        "verdicts differ from libyaml:\n{}",
        wrong.join("\n")
    );
    Ok(())
}
