//! YAML 1.2 core-schema resolution of scalars and checking of explicit tags.
//!
//! Only the core schema is implemented on purpose: YAML 1.1 spellings such as `on`, `yes` and
//! `off` stay strings, which is what GitHub Actions (`on:`) and most modern tools expect.

use std::borrow::Cow;

use saphyr_parser::Tag;

use super::node::{ScalarStyle, Value};

const CORE_PREFIX: &str = "tag:yaml.org,2002:";

/// The tag as the user most likely wrote it (see [`super::Node::tag`] for the forms).
pub(crate) fn tag_text(tag: &Tag) -> String {
    if tag.handle == CORE_PREFIX {
        return format!("!!{}", tag.suffix);
    }
    if tag.handle.is_empty() && tag.suffix == "!" {
        return "!".to_owned();
    }
    let full = format!("{}{}", tag.handle, tag.suffix);
    match full.strip_prefix(CORE_PREFIX) {
        // Verbatim `!<tag:yaml.org,2002:str>` and `%TAG`-expanded core tags normalise to `!!str`.
        Some(rest) => format!("!!{rest}"),
        None => full,
    }
}

/// Outcome of matching the core-schema integer forms.
enum IntText {
    NotInt,
    Overflow,
    Int(i64),
}

fn int_text(s: &str) -> IntText {
    let (digits, radix) = if let Some(rest) = s.strip_prefix("0o") {
        (rest, 8)
    } else if let Some(rest) = s.strip_prefix("0x") {
        (rest, 16)
    } else {
        let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
        if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
            return IntText::NotInt;
        }
        return s.parse().map_or(IntText::Overflow, IntText::Int);
    };
    // from_str_radix would also accept a sign, which the core schema does not allow after 0o/0x.
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return IntText::NotInt;
    }
    i64::from_str_radix(digits, radix).map_or(IntText::Overflow, IntText::Int)
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` plus `.inf`/`.nan` spellings.
fn float_text(s: &str) -> Option<f64> {
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return Some(if s.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN);
    }
    let b = unsigned.as_bytes();
    let digits_from = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let int_end = digits_from(0);
    let mut i = int_end;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        let frac_end = digits_from(i + 1);
        frac_digits = frac_end - (i + 1);
        i = frac_end;
    }
    // Either leading digits, or a fraction with at least one digit (`.5`; a lone `.` is text).
    if int_end == 0 && frac_digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        let exp_end = digits_from(j);
        if exp_end == j {
            return None;
        }
        i = exp_end;
    }
    if i != b.len() {
        return None;
    }
    s.parse().ok()
}

fn bool_text(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn is_null_text(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

/// Core-schema resolution of an untagged plain scalar.
pub(crate) fn resolve_plain(s: &str) -> Value {
    if is_null_text(s) {
        return Value::Null;
    }
    if let Some(b) = bool_text(s) {
        return Value::Bool(b);
    }
    match int_text(s) {
        IntText::Int(i) => return Value::Int(i),
        // Keeping the text is more useful than a lossy float for ids and versions.
        IntText::Overflow => return Value::String(s.to_owned()),
        IntText::NotInt => {}
    }
    match float_text(s) {
        Some(f) => Value::Float(f),
        None => Value::String(s.to_owned()),
    }
}

/// Resolves a scalar given its style and (normalised) tag; `Err` carries the message for a
/// scalar whose explicit core tag does not fit its text.
pub(crate) fn resolve_scalar(
    text: Cow<'_, str>,
    style: ScalarStyle,
    tag: Option<&str>,
) -> Result<Value, String> {
    let invalid = |what: &str| Err(format!("{text:?} is not a valid {what}"));
    match tag {
        Some("!!str" | "!") => Ok(Value::String(text.into_owned())),
        Some("!!int") => match int_text(&text) {
            IntText::Int(i) => Ok(Value::Int(i)),
            IntText::Overflow => Err(format!("integer {text:?} does not fit in 64 bits")),
            IntText::NotInt => invalid("!!int"),
        },
        Some("!!float") => match (float_text(&text), int_text(&text)) {
            (Some(f), _) => Ok(Value::Float(f)),
            // An integer spelling under !!float is a float by definition; rounding is expected.
            #[allow(clippy::cast_precision_loss)]
            (None, IntText::Int(i)) => Ok(Value::Float(i as f64)),
            _ => invalid("!!float"),
        },
        Some("!!bool") => bool_text(&text)
            .map(Value::Bool)
            .map_or_else(|| invalid("!!bool"), Ok),
        Some("!!null") if is_null_text(&text) => Ok(Value::Null),
        Some("!!null") => invalid("!!null"),
        Some(t @ ("!!seq" | "!!map")) => Err(format!("{t} tag on a scalar")),
        _ if style == ScalarStyle::Plain => Ok(resolve_plain(&text)),
        _ => Ok(Value::String(text.into_owned())),
    }
}

/// Rejects core tags that contradict the collection kind (`!!map` on a sequence, `!!str` on a
/// mapping); any other tag is kept and the collection built normally.
pub(crate) fn check_collection_tag(tag: Option<&str>, is_map: bool) -> Result<(), String> {
    let kind = if is_map { "a mapping" } else { "a sequence" };
    match tag {
        Some("!!seq") if is_map => Err(format!("!!seq tag on {kind}")),
        Some("!!map") if !is_map => Err(format!("!!map tag on {kind}")),
        Some(t @ ("!!str" | "!!int" | "!!float" | "!!bool" | "!!null")) => {
            Err(format!("{t} tag on {kind}"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_core_schema() {
        for s in ["null", "Null", "NULL", "~", ""] {
            assert_eq!(resolve_plain(s), Value::Null, "{s}");
        }
        for (s, b) in [
            ("true", true),
            ("True", true),
            ("TRUE", true),
            ("False", false),
        ] {
            assert_eq!(resolve_plain(s), Value::Bool(b), "{s}");
        }
        for (s, i) in [
            ("0", 0),
            ("-12", -12),
            ("+7", 7),
            ("0o17", 15),
            ("0x1F", 31),
            ("007", 7),
        ] {
            assert_eq!(resolve_plain(s), Value::Int(i), "{s}");
        }
        for (s, f) in [
            ("1.5", 1.5),
            ("-.5", -0.5),
            ("1.", 1.0),
            ("1e3", 1000.0),
            ("+2E-1", 0.2),
        ] {
            assert_eq!(resolve_plain(s), Value::Float(f), "{s}");
        }
        assert_eq!(resolve_plain(".inf"), Value::Float(f64::INFINITY));
        assert_eq!(resolve_plain("-.INF"), Value::Float(f64::NEG_INFINITY));
        assert!(matches!(resolve_plain(".NaN"), Value::Float(f) if f.is_nan()));
        for s in [
            "on", "off", "yes", "no", "y", "n", "tRUE", "nULL", "0x", "0o8", "-0x1", "1e", ".",
            "1_000", "1.2.3", "inf", "nan", "+.nan", "0b101", "12:30", "v1.2", " 1",
        ] {
            assert_eq!(resolve_plain(s), Value::String(s.to_owned()), "{s}");
        }
        assert_eq!(
            resolve_plain("99999999999999999999"),
            Value::String("99999999999999999999".to_owned())
        );
        assert_eq!(resolve_plain("-9223372036854775808"), Value::Int(i64::MIN));
    }

    #[test]
    fn tagged_scalars() {
        let r = |t: &str, tag| resolve_scalar(Cow::Borrowed(t), ScalarStyle::Plain, Some(tag));
        assert_eq!(r("123", "!!str"), Ok(Value::String("123".into())));
        assert_eq!(r("5", "!!int"), Ok(Value::Int(5)));
        assert_eq!(r("5", "!!float"), Ok(Value::Float(5.0)));
        assert_eq!(r("true", "!!bool"), Ok(Value::Bool(true)));
        assert_eq!(r("~", "!!null"), Ok(Value::Null));
        assert_eq!(r("x", "!reference"), Ok(Value::String("x".into())));
        assert_eq!(r("12", "!Ref"), Ok(Value::Int(12)));
        assert!(r("abc", "!!int").is_err());
        assert!(r("yes", "!!bool").is_err());
        assert!(r("a", "!!map").is_err());
        let quoted = resolve_scalar(Cow::Borrowed("5"), ScalarStyle::DoubleQuoted, Some("!!int"));
        assert_eq!(quoted, Ok(Value::Int(5)));
        let quoted = resolve_scalar(Cow::Borrowed("5"), ScalarStyle::DoubleQuoted, None);
        assert_eq!(quoted, Ok(Value::String("5".into())));
    }

    #[test]
    fn collection_tags() {
        assert!(check_collection_tag(Some("!!map"), true).is_ok());
        assert!(check_collection_tag(Some("!reference"), false).is_ok());
        assert!(check_collection_tag(Some("!!map"), false).is_err());
        assert!(check_collection_tag(Some("!!str"), true).is_err());
    }
}
