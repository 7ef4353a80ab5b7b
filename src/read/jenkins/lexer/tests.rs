use super::*;

fn kinds(src: &str) -> Vec<TokenKind> {
    let lexed = lex(src);
    assert_eq!(lexed.error, None, "{src}");
    lexed.tokens.into_iter().map(|t| t.kind).collect()
}

fn one_str(src: &str) -> (StrLit, Span) {
    let lexed = lex(src);
    assert_eq!(lexed.error, None, "{src}");
    lexed
        .tokens
        .into_iter()
        .find_map(|t| match t.kind {
            TokenKind::Str(lit) => Some((lit, t.span)),
            _ => None,
        })
        .expect("a string token")
}

#[test]
fn punctuation_and_operators() {
    use TokenKind::*;
    assert_eq!(
        kinds("{ } ( ) [ ] , : ; = . ! && || == != =~ ==~ -> ? * +"),
        vec![
            LBrace, RBrace, LParen, RParen, LBracket, RBracket, Comma, Colon, Semicolon, Assign,
            Dot, Bang, AndAnd, OrOr, EqEq, NotEq, Find, Match, Arrow, Question, Star, Other, Eof
        ]
    );
}

#[test]
fn identifiers_numbers_and_newlines() {
    let lexed = lex("sh_1 $x 42 1.5 0x1F\r\nnext");
    let spans: Vec<_> = lexed
        .tokens
        .iter()
        .map(|t| (t.kind.clone(), t.span))
        .collect();
    assert_eq!(spans[0], (TokenKind::Ident, Span::new(0, 4)));
    assert_eq!(spans[1], (TokenKind::Ident, Span::new(5, 7)));
    assert_eq!(spans[2], (TokenKind::Number, Span::new(8, 10)));
    assert_eq!(spans[3], (TokenKind::Number, Span::new(11, 14)));
    assert_eq!(spans[4], (TokenKind::Number, Span::new(15, 19)));
    assert_eq!(spans[5], (TokenKind::Newline, Span::new(19, 21)));
    assert_eq!(spans[6], (TokenKind::Ident, Span::new(21, 25)));
}

#[test]
fn comments_are_skipped() {
    use TokenKind::*;
    assert_eq!(
        kinds("a // b 'c\nd /* e\n' */ f"),
        vec![Ident, Newline, Ident, Ident, Eof]
    );
    assert_eq!(kinds("#!/usr/bin/env groovy\nx"), vec![Newline, Ident, Eof]);
}

#[test]
fn single_quoted_decodes_escapes_and_keeps_dollar() {
    let (lit, span) = one_str(r"x 'it\'s $HOME ${x} \\ \n'");
    assert_eq!(lit.text, "it's $HOME ${x} \\ \n");
    assert_eq!(span, Span::new(2, 26));
    assert_eq!(lit.line_starts, vec![3, 25]);
}

#[test]
fn double_quoted_keeps_interpolation_raw() {
    let (lit, _) = one_str(r#""deploy ${env.X ?: "a}"} to $ENV \$HOME \"q\" \u00e9""#);
    assert_eq!(lit.text, r#"deploy ${env.X ?: "a}"} to $ENV $HOME "q" é"#);
}

#[test]
fn triple_single_quoted_multiline_line_starts() {
    let src = "sh '''\n  set -e\n  kubectl apply -f k8s/\n'''";
    let (lit, span) = one_str(src);
    assert_eq!(lit.text, "\n  set -e\n  kubectl apply -f k8s/\n");
    assert_eq!(span, Span::new(3, src.len()));
    assert_eq!(lit.line_starts, vec![6, 7, 16, 40]);
    for (line, start) in lit.text.split('\n').zip(&lit.line_starts) {
        assert!(src[*start..].starts_with(line), "{line:?} at {start}");
    }
}

#[test]
fn triple_double_quoted_with_placeholder_and_continuation() {
    let src = "sh \"\"\"\n  helm upgrade ${\n  name} \\\n  --wait\n\"\"\"";
    let (lit, _) = one_str(src);
    assert_eq!(lit.text, "\n  helm upgrade ${\n  name}   --wait\n");
    assert_eq!(lit.line_starts.len(), lit.text.split('\n').count());
    for (line, start) in lit.text.split('\n').zip(&lit.line_starts).take(2) {
        assert!(src[*start..].starts_with(line), "{line:?} at {start}");
    }
}

#[test]
fn crlf_inside_multiline_strings_is_normalised() {
    let (lit, _) = one_str("'''a\r\nb'''");
    assert_eq!(lit.text, "a\nb");
    assert_eq!(lit.line_starts, vec![3, 6]);
}

#[test]
fn slashy_only_where_a_pattern_is_expected() {
    let (lit, span) = one_str(r"if (x =~ /release-\d+\/x/) {}");
    assert_eq!(lit.text, r"release-\d+/x");
    assert_eq!(span, Span::new(9, 25));
    let (lit, _) = one_str("branch pattern: /v[0-9]+/");
    assert_eq!(lit.text, "v[0-9]+");
    let (lit, _) = one_str("x.split(/,/)");
    assert_eq!(lit.text, ",");
    // Division stays division.
    use TokenKind::*;
    assert_eq!(
        kinds("a / b / c"),
        vec![Ident, Other, Ident, Other, Ident, Eof]
    );
    assert_eq!(
        kinds("x = a /2"),
        vec![Ident, Assign, Ident, Other, Number, Eof]
    );
}

#[test]
fn dollar_slashy() {
    let (lit, span) = one_str("x = $/a\\b $$ $/ ${y}/$ z");
    assert_eq!(lit.text, "a\\b $ / ${y}");
    assert_eq!(span, Span::new(4, 22));
}

#[test]
fn unterminated_forms_report_the_opening_span() {
    let e = lex("sh 'abc\nnext").error.expect("error");
    assert_eq!(e.span, Span::new(3, 7));
    assert!(e.message.contains("`'`"), "{}", e.message);
    let e = lex("x\nsh '''abc").error.expect("error");
    assert_eq!(e.span, Span::new(5, 11));
    let e = lex("a /* b").error.expect("error");
    assert_eq!(e.span, Span::new(2, 6));
    let e = lex("\"${x\"").error.expect("error");
    assert_eq!(e.span.start, 1);
    let e = lex("$/abc").error.expect("error");
    assert_eq!(e.span, Span::new(0, 5));
    let e = lex("x =~ /abc").error.expect("error");
    assert_eq!(e.span, Span::new(5, 9));
    let lexed = lex("a b 'c");
    assert_eq!(
        lexed.tokens.len(),
        3,
        "tokens before the error are kept, plus eof"
    );
    assert_eq!(lexed.tokens[2].span, Span::empty(4));
}

#[test]
fn non_ascii_never_splits_a_char() {
    let lexed = lex("é ü → 'ñ' \"${'ß'}\" ¿");
    assert_eq!(lexed.error, None);
    let src = "é ü → 'ñ' \"${'ß'}\" ¿";
    for t in &lexed.tokens {
        assert!(src.get(t.span.start..t.span.end).is_some());
    }
}
