//! Writing a scalar and reading it back is the identity, for every string.

use proptest::prelude::*;

use super::*;

/// The string `written` (a scalar as [`string`] wrote it) reads back as, in block and in flow
/// context.
fn read_back(written: &str) -> [Option<String>; 2] {
    let read = |doc: String, flow: bool| {
        let docs = crate::yaml::parse(&doc).ok()?;
        let map = docs.first()?.as_map()?;
        let value = if flow {
            map.get("k")?.as_seq()?.first()?
        } else {
            map.get("k")?
        };
        value.as_str().map(str::to_owned)
    };
    [
        read(format!("k: {written}\n"), false),
        read(format!("k: [{written}, x]\n"), true),
    ]
}

/// Characters the YAML grammar treats specially or refuses, for the generator to mix in.
const AWKWARD: &[char] = &[
    '"',
    '\'',
    '\\',
    '\n',
    '\r',
    '\t',
    '\0',
    '\u{7f}',
    '\u{85}',
    '\u{a0}',
    '\u{2028}',
    '\u{2029}',
    '\u{feff}',
    '\u{fffe}',
    '\u{ffff}',
    '\u{1f600}',
    ':',
    '#',
    '-',
    '?',
    '{',
    '[',
    ',',
    '&',
    '*',
    '!',
    '|',
    '>',
    '%',
    '@',
    '`',
    ' ',
];

fn awkward_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        proptest::sample::select(AWKWARD).prop_map(String::from),
        "[a-z0-9.]{1,4}",
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|parts| parts.concat())
}

/// Characters YAML reads specially (C1 controls, Unicode line separators, byte order marks),
/// checked on every run whatever the generator picks.
#[test]
fn awkward_characters_read_back() {
    for text in [
        "\u{85}",
        "\u{2028}",
        "\u{feff}x",
        "\u{fffe}",
        "a\u{9f}b",
        "\u{7f}",
    ] {
        let written = string(text);
        assert_eq!(
            read_back(&written),
            [Some(text.to_owned()), Some(text.to_owned())],
            "{written}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn any_string_reads_back(text in prop_oneof![any::<String>(), awkward_string()]) {
        let written = string(&text).into_owned();
        prop_assert_eq!(read_back(&written), [Some(text.clone()), Some(text)], "{}", written);
    }
}
