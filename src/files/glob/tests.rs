use super::*;

fn glob_match(pattern: &str, path: &str) -> bool {
    PathGlob::new(pattern).matches(path)
}

#[test]
fn glob_star_stays_in_segment() {
    assert!(glob_match("ci/*.yml", "ci/build.yml"));
    assert!(glob_match("ci/*.yml", "ci/.hidden.yml"));
    assert!(!glob_match("ci/*.yml", "ci/sub/build.yml"));
    assert!(!glob_match("ci/*.yml", "ci/build.yaml"));
    assert!(glob_match("*", "README.md"));
    assert!(!glob_match("*", "a/b"));
    assert!(glob_match("a*b*c", "a-b-c"));
    assert!(!glob_match("a*b*c", "a-b/c"));
}

#[test]
fn glob_double_star_crosses_segments() {
    assert!(glob_match("ci/**/*.yml", "ci/a.yml"));
    assert!(glob_match("ci/**/*.yml", "ci/x/y/a.yml"));
    assert!(!glob_match("ci/**/*.yml", "cix/a.yml"));
    assert!(glob_match("**/*.yml", "a.yml"));
    assert!(glob_match("**/*.yml", "deep/er/a.yml"));
    assert!(glob_match("ci/**.yml", "ci/x/y.yml"));
    assert!(glob_match("**", "any/thing/at/all"));
    assert!(glob_match("a/**", "a/b/c"));
    assert!(!glob_match("a/**", "b/c"));
    assert!(glob_match("**/values.yaml", "values.yaml"));
    assert!(glob_match("a/**/b/**/c", "a/b/c"));
    assert!(glob_match("a/**/b/**/c", "a/x/b/y/z/c"));
}

#[test]
fn double_star_inside_a_segment_is_any_text() {
    assert!(glob_match("ci/**.yml", "ci/.yml"));
    assert!(glob_match("ci/**.yml", "ci/a.yml"));
    assert!(glob_match("**.yml", "a/b.yml"));
    assert!(glob_match("a**b", "ab"));
    assert!(glob_match("a**b", "a/x/b"));
    assert!(!glob_match("a**b", "a/x/c"));
    assert!(glob_match("a/***", "a/b/c"));
    // `x**/`: nothing, or any text ending with `/`.
    assert!(glob_match("a**/b", "ab"));
    assert!(glob_match("a**/b", "ax/b"));
    assert!(glob_match("a**/b", "ax/y/b"));
    assert!(!glob_match("a**/b", "ax/yb"));
    assert!(glob_match("a/**/", "a/"));
    assert!(glob_match("a/**/", "a/x/"));
}

#[test]
fn glob_question_and_classes() {
    assert!(glob_match("v?.yml", "v1.yml"));
    assert!(!glob_match("v?.yml", "v10.yml"));
    assert!(!glob_match("a?b", "a/b"));
    assert!(glob_match("[abc].txt", "b.txt"));
    assert!(!glob_match("[abc].txt", "d.txt"));
    assert!(glob_match("[a-c]x", "cx"));
    assert!(glob_match("[!a-c]x", "dx"));
    assert!(glob_match("[^a-c]x", "dx"));
    assert!(!glob_match("[!a-c]x", "ax"));
    assert!(glob_match("[]]", "]"));
    assert!(glob_match("[a-]", "-"));
    // An unclosed class is a literal bracket.
    assert!(glob_match("a[b", "a[b"));
    assert!(!glob_match("[!x]", "/"));
}

#[test]
fn class_members_globset_reads_specially_stay_members() {
    assert!(glob_match("[c-a]", "b"));
    assert!(glob_match("[!]]", "a"));
    assert!(!glob_match("[!]]", "]"));
    assert!(glob_match("[[:]", ":"));
    assert!(glob_match("[[:]", "["));
    assert!(!glob_match("[[:alpha:]]", "a"));
    assert!(glob_match("[[:alpha:]]", ":]"));
    assert!(glob_match("[a-c-e]", "-"));
    assert!(!glob_match("[a-c-e]", "d"));
    for (pattern, yes, no) in [
        ("[!^]", "a", "^"),
        ("[x!]", "!", "y"),
        ("[-!]", "-", "a"),
        ("[!!^]", "a", "^"),
        ("[ --]", "+", "."),
    ] {
        assert!(glob_match(pattern, yes), "{pattern} {yes}");
        assert!(!glob_match(pattern, no), "{pattern} {no}");
    }
    // `[!]` and `[^]` are not closed (their `]` is a member): literal text.
    assert!(glob_match("[!]", "[!]"));
    assert!(glob_match("[^]", "[^]"));
    assert!(!glob_match("[^]", "^"));
}

#[test]
fn glob_leading_slash_and_literals() {
    assert!(glob_match("/ci/build.yml", "ci/build.yml"));
    assert!(glob_match("//x", "x"));
    assert!(!glob_match("ci/build.yml", "ci/build.yml.bak"));
    assert!(glob_match("", ""));
    assert!(!glob_match("", "a"));
    assert!(glob_match("é*", "été.yml"));
    assert!(glob_match("{a,b}.yml", "{a,b}.yml"));
    assert!(!glob_match("{a,b}.yml", "a.yml"));
    assert!(glob_match("a\\b", "a\\b"));
    assert!(glob_match("a]b", "a]b"));
}

#[test]
fn glob_has_no_backtracking_blowup() {
    let path = "a".repeat(3000);
    let pattern = format!("{}b", "*a".repeat(40));
    assert!(!glob_match(&pattern, &path));
    assert!(glob_match(&"**".repeat(100), ""));
}
