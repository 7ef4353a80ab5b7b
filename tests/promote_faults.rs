//! `gitops-gen promote` when the remote misbehaves: a remote that accepts and never answers, a
//! termination signal in the middle of a fetch, and a remote that rejects pushes for reasons of
//! its own. Everything runs against local repositories, a local TCP listener and a fake `ssh`.

mod promote_support;

use std::io::Read;
use std::net::TcpListener;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use promote_support::{Fixture, fixture, git};

/// A TCP server on a free loopback port that accepts connections and never says a word.
fn silent_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("local addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        // Bounded: a test never opens more than a handful of connections.
        for stream in listener.incoming().take(16).flatten() {
            held.push(stream);
        }
        std::thread::sleep(Duration::from_secs(600));
    });
    port
}

/// The promotion command in the fixture's checkout, with its temporary directories under `tmp`.
fn promote_cmd(f: &Fixture, tmp: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gitops-gen"));
    cmd.current_dir(&f.checkout)
        .args(["promote", "--env", "staging", "--app", "web"])
        .args(["--image", "ghcr.io/shop/web:v2"])
        .args(extra)
        .env("NO_COLOR", "1")
        .env("TMPDIR", tmp)
        .env_remove("GITHUB_SHA")
        .env_remove("GITOPS_GEN_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Waits for `child` at most `limit`; a child still running then is killed and reported.
fn wait_at_most(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

fn stderr_of(child: &mut Child) -> String {
    let mut text = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut text);
    }
    text
}

/// Live (not zombie) processes whose command line contains `marker`.
fn processes_with(marker: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        if !String::from_utf8_lossy(&cmdline).contains(marker) {
            continue;
        }
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let state = stat
            .rsplit(')')
            .next()
            .and_then(|s| s.split_whitespace().next());
        if !matches!(state, Some("Z" | "X") | None) {
            found.push(pid);
        }
    }
    found
}

/// Processes with `marker` that are still alive after up to three seconds; the survivors are
/// killed so a failing test leaves nothing behind.
fn survivors(marker: &str) -> Vec<u32> {
    let start = Instant::now();
    let mut left = processes_with(marker);
    while !left.is_empty() && start.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(50));
        left = processes_with(marker);
    }
    for pid in &left {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
    left
}

fn leftover_clones(tmp: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp)
        .expect("tmp")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("gitops-gen-promote-"))
        })
        .collect()
}

fn tmp_dir(f: &Fixture) -> PathBuf {
    let tmp = f.checkout.parent().expect("parent").join("tmp");
    std::fs::create_dir_all(&tmp).expect("tmp");
    tmp
}

#[test]
fn a_remote_that_never_answers_times_out_and_leaves_nothing_behind() {
    let f = fixture();
    let tmp = tmp_dir(&f);
    let port = silent_server();
    let url = format!("git://127.0.0.1:{port}/shop.git");
    git(&f.checkout, &["remote", "set-url", "origin", &url]);
    let mut child = promote_cmd(&f, &tmp, &["--timeout", "2"])
        .spawn()
        .expect("spawn");
    let status = wait_at_most(&mut child, Duration::from_secs(60));
    let stderr = stderr_of(&mut child);
    let left = survivors(&format!("127.0.0.1:{port}"));
    assert!(
        status.is_some(),
        "promote hung on a silent remote: {stderr}"
    );
    assert_eq!(status.and_then(|s| s.code()), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot fetch branch `main`") && stderr.contains("timed out after 2 s"),
        "{stderr}"
    );
    assert_eq!(leftover_clones(&tmp), Vec::<PathBuf>::new());
    assert_eq!(left, Vec::<u32>::new(), "git processes left running");
}

#[test]
fn sigterm_removes_the_clone_and_stops_the_git_children() {
    let f = fixture();
    let tmp = tmp_dir(&f);
    // An ssh that connects and then waits forever; its host name marks every process of it.
    let marker = format!("hang-{}.invalid", std::process::id());
    let ssh = f.checkout.parent().expect("parent").join("ssh-hang");
    let started = f.checkout.parent().expect("parent").join("ssh-started");
    std::fs::write(
        &ssh,
        format!(
            "#!/bin/sh\ntouch '{}'\nwhile :; do sleep 1; done\n",
            started.display()
        ),
    )
    .expect("write ssh");
    Command::new("chmod")
        .args(["+x", &ssh.to_string_lossy()])
        .status()
        .expect("chmod");
    let url = format!("ssh://{marker}/shop.git");
    git(&f.checkout, &["remote", "set-url", "origin", &url]);
    let mut child = promote_cmd(&f, &tmp, &[])
        .env("GIT_SSH_COMMAND", &ssh)
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    while !started.exists() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(started.exists(), "the fetch never reached the fake ssh");
    assert_eq!(
        leftover_clones(&tmp).len(),
        1,
        "the clone exists while fetching"
    );
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    let status = wait_at_most(&mut child, Duration::from_secs(30));
    let stderr = stderr_of(&mut child);
    let left = survivors(&marker);
    assert_eq!(
        status.and_then(|s| s.signal()),
        Some(15),
        "promote ends as terminated by SIGTERM: {status:?} {stderr}"
    );
    assert_eq!(leftover_clones(&tmp), Vec::<PathBuf>::new());
    assert_eq!(left, Vec::<u32>::new(), "git or ssh processes left running");
}

/// Installs `script` as the bare remote's pre-receive hook.
fn pre_receive(f: &Fixture, script: &str) {
    promote_support::pre_receive(&f.remote, script);
}

fn hook_runs(f: &Fixture) -> usize {
    std::fs::read_to_string(f.remote.join("hook-runs"))
        .unwrap_or_default()
        .lines()
        .count()
}

#[test]
fn a_rejection_that_names_a_lock_is_not_taken_for_a_lost_race() {
    let f = fixture();
    let tmp = tmp_dir(&f);
    // The server's words are the server's: only the branch moving means another promotion won.
    pre_receive(
        &f,
        "#!/bin/sh\necho run >> \"$GIT_DIR/hook-runs\"\n\
         echo \"error: cannot lock ref 'refs/heads/main': policy says no\" >&2\nexit 1\n",
    );
    let head = git(&f.remote, &["rev-parse", "main"]);
    let mut child = promote_cmd(&f, &tmp, &["--retries", "5"])
        .spawn()
        .expect("spawn");
    let status = wait_at_most(&mut child, Duration::from_secs(120));
    let stderr = stderr_of(&mut child);
    assert_eq!(status.and_then(|s| s.code()), Some(2), "{stderr}");
    assert_eq!(hook_runs(&f), 1, "pushed once: {stderr}");
    assert!(stderr.contains("policy says no"), "{stderr}");
    assert!(stderr.contains("did not move"), "{stderr}");
    assert!(!stderr.contains("other promotions"), "{stderr}");
    assert_eq!(git(&f.remote, &["rev-parse", "main"]), head);
}

#[test]
fn a_rejection_after_the_branch_moved_is_decided_again_on_the_new_tip() {
    let f = fixture();
    let tmp = tmp_dir(&f);
    // Another promotion, ready on a side branch; the hook lands it on `main` during the first
    // push and rejects that push, in words that mention no race at all.
    git(&f.checkout, &["checkout", "-q", "-b", "side"]);
    std::fs::write(f.checkout.join("other.txt"), "landed first\n").expect("write");
    git(&f.checkout, &["add", "other.txt"]);
    git(&f.checkout, &["commit", "-q", "-m", "another promotion"]);
    git(&f.checkout, &["push", "-q", "origin", "side"]);
    git(&f.checkout, &["checkout", "-q", "main"]);
    pre_receive(&f, promote_support::SIDE_LANDS_FIRST);
    let mut child = promote_cmd(&f, &tmp, &["--retries", "5"])
        .spawn()
        .expect("spawn");
    let status = wait_at_most(&mut child, Duration::from_secs(120));
    let stderr = stderr_of(&mut child);
    assert_eq!(status.and_then(|s| s.code()), Some(0), "{stderr}");
    assert_eq!(hook_runs(&f), 2, "{stderr}");
    assert!(stderr.contains("2 push attempt(s)"), "{stderr}");
    // The promotion sits on top of the one that landed first.
    let parent = git(&f.remote, &["rev-parse", "main^"]);
    assert_eq!(parent, git(&f.remote, &["rev-parse", "side"]));
}
