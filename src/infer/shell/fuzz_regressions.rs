//! Inputs the `shell` fuzz target found, kept as tests.

use super::commands;

/// The words of a command run through `sh -c '...'` or `eval` kept offsets into the inner
/// string, so they pointed at unrelated bytes of the script, or into the middle of a character
/// (`sh -c \`۞ roo|o` was the fuzzer's input). Like the command, they now span the outer command.
#[test]
fn words_of_an_inline_script_lie_inside_the_outer_command() {
    for script in [
        "echo hi; sh -c 'kubectl apply -f x > out'",
        "true && eval \"helm upgrade web ./chart\"",
        "sh -c `\u{6de} roo|o",
    ] {
        let cmds = commands(script, &[]);
        assert!(cmds.iter().any(|c| c.nested), "{script}: {cmds:?}");
        for cmd in &cmds {
            let targets = cmd.redirects.iter().map(|r| &r.target);
            for word in cmd.words.iter().chain(targets) {
                assert!(
                    cmd.start <= word.start
                        && word.end <= cmd.end
                        && script.is_char_boundary(word.start)
                        && script.is_char_boundary(word.end),
                    "{script}: `{}` at {}..{} outside its command {}..{}",
                    word.text,
                    word.start,
                    word.end,
                    cmd.start,
                    cmd.end
                );
            }
        }
    }
}
