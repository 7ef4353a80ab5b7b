use super::*;
use crate::read::jenkins::ast::{Call, Case, Expr, ExprKind};
use crate::read::jenkins::lexer::lex;

fn parse_ok(src: &str) -> Vec<Stmt> {
    let lexed = lex(src);
    assert_eq!(lexed.error, None);
    let parsed = parse(src, &lexed.tokens);
    assert_eq!(parsed.errors, Vec::new(), "{src}");
    parsed.stmts
}

fn call(stmt: &Stmt) -> &Call {
    stmt.as_call().expect("a call")
}

fn str_of(expr: &Expr) -> &str {
    match &expr.kind {
        ExprKind::Str(lit) => lit.text.as_str(),
        other => panic!("a string expected, found {other:?}"),
    }
}

#[test]
fn command_forms() {
    let stmts = parse_ok(
        "sh 'x'\nsh(script: 'y', returnStdout: true)\nstage('Build') { echo 'hi' }\n\
             withCredentials([file(credentialsId: 'kube', variable: 'KUBECONFIG')]) { sh 'z' }\n\
             agent any\nretry 3\ninput message: 'Go?', ok: 'Yes'",
    );
    assert_eq!(stmts.len(), 7);
    let sh = call(&stmts[0]);
    assert_eq!((sh.name.as_str(), sh.args.len()), ("sh", 1));
    assert_eq!(str_of(&sh.args[0].value), "x");
    let sh2 = call(&stmts[1]);
    assert_eq!(str_of(sh2.named("script").expect("script")), "y");
    assert_eq!(
        sh2.named("returnStdout").map(|e| &e.kind),
        Some(&ExprKind::Bool(true))
    );
    let stage = call(&stmts[2]);
    assert_eq!(str_of(stage.positional(0).expect("name")), "Build");
    assert_eq!(stage.body().map(|b| b.stmts.len()), Some(1));
    let creds = call(&stmts[3]);
    let ExprKind::List(items) = &creds.args[0].value.kind else {
        panic!("list expected");
    };
    let ExprKind::Call(file) = &items[0].kind else {
        panic!("call expected");
    };
    assert_eq!(file.name, "file");
    assert_eq!(
        str_of(file.named("variable").expect("variable")),
        "KUBECONFIG"
    );
    assert_eq!(
        call(&stmts[4]).positional(0).map(|e| &e.kind),
        Some(&ExprKind::Path("any".into()))
    );
    assert_eq!(
        call(&stmts[5]).positional(0).map(|e| &e.kind),
        Some(&ExprKind::Num)
    );
    assert_eq!(str_of(call(&stmts[6]).named("ok").expect("ok")), "Yes");
}

#[test]
fn assignments_maps_and_receivers() {
    let stmts = parse_ok(
        "def x = sh(script: 'a', returnStdout: true).trim()\nenv.FOO = \"bar\"\n\
             K = credentials('id')\ndef m = [a: 1, 'b': [c: 'd'], e: []]\n\
             docker.image('node').inside('-u root') { sh 'npm test' }\nString s = 'q'",
    );
    let Stmt::Assign { target, value } = &stmts[0] else {
        panic!("assign expected");
    };
    assert_eq!(target, "x");
    let ExprKind::Call(trim) = &value.kind else {
        panic!("call expected");
    };
    assert_eq!(trim.name, "trim");
    assert!(
        matches!(&trim.receiver, Some(Expr { kind: ExprKind::Call(sh), .. }) if sh.name == "sh")
    );
    assert!(matches!(&stmts[1], Stmt::Assign { target, .. } if target == "env.FOO"));
    assert!(
        matches!(&stmts[2], Stmt::Assign { value: Expr { kind: ExprKind::Call(c), .. }, .. } if c.name == "credentials")
    );
    let Stmt::Assign { value, .. } = &stmts[3] else {
        panic!("assign expected");
    };
    let ExprKind::Map(entries) = &value.kind else {
        panic!("map expected");
    };
    let keys: Vec<_> = entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["a", "b", "e"]);
    let inside = call(&stmts[4]);
    assert_eq!(inside.name, "inside");
    assert!(inside.closure.is_some());
    assert!(
        matches!(&inside.receiver, Some(Expr { kind: ExprKind::Call(c), .. }) if c.name == "docker.image")
    );
    assert!(matches!(&stmts[5], Stmt::Assign { target, .. } if target == "s"));
}

#[test]
fn control_flow_keeps_nested_blocks() {
    let stmts = parse_ok(
        "if (env.BRANCH_NAME == 'main') {\n  sh 'a'\n} else if (x) sh 'b'\nelse {\n sh 'c' }\n\
             for (int i = 0; i < 3; i++) { sh 'd' }\ntry { sh 'e' } catch (Exception e) { sh 'f' } finally { sh 'g' }\n\
             switch (x) {\n case 'a':\n  sh 'h'\n  break\n default:\n  sh 'i'\n}\n\
             def deploy(String env) {\n  sh \"kubectl apply -k ${env}\"\n}\nlist.each { item -> sh \"echo ${item}\" }\n\
             return",
    );
    let Stmt::If {
        cond,
        then_block,
        else_block,
    } = &stmts[0]
    else {
        panic!("if expected");
    };
    assert!(matches!(cond.kind, ExprKind::Other(_)));
    assert_eq!(then_block.stmts.len(), 1);
    let else_block = else_block.as_ref().expect("else");
    assert!(matches!(
        &else_block.stmts[0],
        Stmt::If {
            else_block: Some(_),
            ..
        }
    ));
    assert!(matches!(&stmts[1], Stmt::Other { blocks, .. } if blocks.len() == 1));
    assert!(matches!(&stmts[2], Stmt::Other { blocks, .. } if blocks.len() == 3));
    let Stmt::Switch { cases, .. } = &stmts[3] else {
        panic!("switch expected");
    };
    let calls = |c: &Case| c.stmts.iter().filter(|s| s.as_call().is_some()).count();
    assert_eq!(cases.iter().map(calls).collect::<Vec<_>>(), [1, 1]);
    assert!(
        matches!(&stmts[4], Stmt::Function { name, body, .. } if name == "deploy" && body.stmts.len() == 1)
    );
    let each = call(&stmts[5]);
    assert_eq!(each.name, "list.each");
    assert_eq!(each.closure.as_ref().map(|b| b.stmts.len()), Some(1));
}

#[test]
fn allman_braces_and_annotations() {
    let stmts = parse_ok(
        "@Library('shared@v1') _\npipeline\n{\n  stages\n  {\n    stage('a')\n    {\n    }\n  }\n}",
    );
    assert!(
        matches!(&stmts[0], Stmt::Annotation { name, args, .. } if name == "Library" && args.len() == 1)
    );
    let pipeline = stmts
        .iter()
        .find_map(|s| s.as_call().filter(|c| c.name == "pipeline"))
        .expect("pipeline");
    let stages = pipeline
        .body()
        .and_then(|b| b.stmts[0].as_call())
        .expect("stages");
    assert_eq!(stages.name, "stages");
    assert_eq!(
        stages
            .body()
            .and_then(|b| b.stmts[0].as_call())
            .map(|c| c.name.as_str()),
        Some("stage")
    );
}

#[test]
fn spans_cover_calls_and_blocks() {
    let src = "stage('x') {\n  sh 'y'\n}\n";
    let stmts = parse_ok(src);
    let stage = call(&stmts[0]);
    assert_eq!(stage.span, Span::new(0, 23));
    assert_eq!(stage.name_span, Span::new(0, 5));
    assert_eq!(
        stage.closure.as_ref().map(|b| b.span),
        Some(Span::new(11, 23))
    );
    let sh = call(&stage.closure.as_ref().expect("body").stmts[0]);
    assert_eq!(sh.args[0].value.span, Span::new(18, 21));
}

fn errors(src: &str) -> Vec<ParseError> {
    let lexed = lex(src);
    parse(src, &lexed.tokens).errors
}

#[test]
fn unbalanced_braces_are_reported_at_the_brace() {
    let src = "pipeline {\n  stages {\n    stage('a') { steps { sh 'x' } }\n  }\n";
    let errs = errors(src);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].message, "unclosed `{`");
    assert_eq!(errs[0].span, Span::new(9, 10));
    let errs = errors("a { }\n}\n");
    assert_eq!(errs[0].message, "unexpected `}`");
    assert_eq!(errs[0].span, Span::new(6, 7));
    let errs = errors("sh('x'\n}");
    assert_eq!(errs[0].message, "unclosed `(`");
    assert_eq!(errs[0].span, Span::new(2, 3));
}

#[test]
fn deep_nesting_stops_with_an_error() {
    for open in ["{", "(", "[", "a(", "x = -"] {
        let src = open.repeat(100_000);
        let errs = errors(&src);
        assert!(
            errs.iter().any(|e| e.message.contains("nesting deeper")) || open == "x = -",
            "{open}: {:?}",
            errs.first()
        );
    }
    let chain = format!("x{}", ".a()".repeat(100_000));
    let errs = errors(&chain);
    assert!(errs.iter().any(|e| e.message.contains("nesting deeper")));
    let elifs = format!("if (a) {{}}{}", " else if (b) {}".repeat(10_000));
    let errs = errors(&elifs);
    assert!(errs.iter().any(|e| e.message.contains("nesting deeper")));
}

/// Groovy allows a command without parentheses as an assigned value; `x = input message: 'm'`
/// was a syntax error and `d = load 'f'` two loose words (issue 9).
#[test]
fn commands_as_assigned_values() {
    let stmts = parse_ok(
        "answer = input message: 'Go?', parameters: [booleanParam(name: 'GO')]\n\
         def d = load 'ci/deploy.groovy'\nx = params.ENV\ny = a in b\n",
    );
    let value = |i: usize| match &stmts[i] {
        Stmt::Assign { value, .. } => value,
        other => panic!("an assignment expected, found {other:?}"),
    };
    let ExprKind::Call(input) = &value(0).kind else {
        panic!("a call expected");
    };
    assert_eq!(input.name, "input");
    assert_eq!(input.named("message").map(str_of), Some("Go?"));
    let ExprKind::Call(load) = &value(1).kind else {
        panic!("a call expected");
    };
    assert_eq!(
        (load.name.as_str(), load.positional(0).map(str_of)),
        ("load", Some("ci/deploy.groovy"))
    );
    assert!(matches!(&value(2).kind, ExprKind::Path(p) if p == "params.ENV"));
    assert!(!matches!(&value(3).kind, ExprKind::Call(_)));
}

#[test]
fn switch_arms_group_their_labels_and_statements() {
    let stmts = parse_ok(
        "switch (env.BRANCH_NAME) {\n  case 'a':\n  case 'b': sh 'x'; break\n  case 'c':\n    sh 'y'\n    break\n  default:\n    sh 'z'\n}\nsh 'after'",
    );
    assert_eq!(stmts.len(), 2);
    let Stmt::Switch { subject, cases } = &stmts[0] else {
        panic!("a switch expected, found {:?}", stmts[0]);
    };
    assert_eq!(subject.kind, ExprKind::Path("env.BRANCH_NAME".to_owned()));
    let arms: Vec<(Vec<&str>, bool, Vec<&str>)> = cases
        .iter()
        .map(|c| {
            let labels = c.labels.iter().map(str_of).collect();
            let steps = c
                .stmts
                .iter()
                .map(|s| str_of(&call(s).args[0].value))
                .collect();
            (labels, c.default, steps)
        })
        .collect();
    assert_eq!(
        arms,
        [
            (vec!["a", "b"], false, vec!["x"]),
            (vec!["c"], false, vec!["y"]),
            (vec![], true, vec!["z"]),
        ]
    );
    assert_eq!(str_of(&call(&stmts[1]).args[0].value), "after");
}

#[test]
fn a_switch_without_a_body_or_subject_is_read_on() {
    for src in ["switch (x)\nsh 'a'", "switch {\n}\nsh 'a'"] {
        let lexed = lex(src);
        let parsed = parse(src, &lexed.tokens);
        let last = parsed.stmts.last().and_then(Stmt::as_call);
        assert_eq!(last.map(|c| c.name.as_str()), Some("sh"), "{src}");
    }
    // An unclosed switch is reported, with the arm read so far.
    let src = "switch (x) {\n  case 1:\n    sh 'a'\n";
    let lexed = lex(src);
    let parsed = parse(src, &lexed.tokens);
    assert_eq!(parsed.errors.len(), 1, "{:?}", parsed.errors);
    assert!(matches!(&parsed.stmts[..], [Stmt::Switch { cases, .. }] if cases[0].stmts.len() == 1));
}
