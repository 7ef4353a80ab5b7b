//! The processes and the temporary clone a promotion owns, and how they end: every git child runs
//! in a process group of its own, under a deadline; when the deadline passes, or when
//! gitops-gen receives SIGTERM, SIGINT or SIGHUP, the whole group (git and whatever it started:
//! `ssh`, a remote helper, a local `receive-pack`) is stopped, the temporary clone is deleted,
//! and a signal then ends gitops-gen the way it would have without a handler.
//!
//! Stopping sends SIGTERM first, so git removes its own lock files, and SIGKILL after
//! [`GRACE`]. A `kill -9` of gitops-gen itself cannot be handled; its children then end with
//! their own network timeouts, if any.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Duration;

/// How long a stopped process group gets to exit after SIGTERM before SIGKILL.
const GRACE: Duration = Duration::from_millis(500);

/// What a termination signal has to clean up.
struct Owned {
    /// Process groups of running children (each child leads its own).
    groups: Vec<u32>,
    /// Temporary directories to delete.
    dirs: Vec<PathBuf>,
    /// Set when a termination signal arrived: no new child starts.
    stopping: bool,
}

static OWNED: Mutex<Owned> = Mutex::new(Owned {
    groups: Vec::new(),
    dirs: Vec::new(),
    stopping: false,
});

fn owned() -> MutexGuard<'static, Owned> {
    // A panic while holding the lock leaves consistent lists; keep using them.
    OWNED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A temporary directory that is deleted when dropped, and also when a termination signal
/// arrives while it exists.
pub(crate) struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    /// Creates a directory named `<prefix>XXXXXX` in the system's temporary directory and
    /// installs the termination handler.
    pub(crate) fn new(prefix: &str) -> std::io::Result<Workspace> {
        handle_termination();
        let dir = tempfile::Builder::new().prefix(prefix).tempdir()?;
        owned().dirs.push(dir.path().to_owned());
        Ok(Workspace { dir })
    }

    /// The directory.
    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        owned().dirs.retain(|d| d != self.dir.path());
    }
}

/// How a child ended.
pub(crate) enum Ran {
    /// It exited (successfully or not) within the deadline.
    Exited(Output),
    /// The deadline passed; its process group was stopped.
    TimedOut,
}

/// Runs `cmd` with no standard input, capturing its output, for at most `timeout`.
///
/// # Errors
/// The command could not be started, or a termination signal is being handled.
pub(crate) fn run(mut cmd: Command, timeout: Duration) -> std::io::Result<Ran> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    own_group(&mut cmd);
    let child = {
        let mut owned = owned();
        if owned.stopping {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "gitops-gen is terminating",
            ));
        }
        let child = cmd.spawn()?;
        owned.groups.push(child.id());
        child
    };
    let group = child.id();
    let (done, finished) = mpsc::channel();
    // The waiter reads both pipes to the end and reaps the child; it ends once the group is gone.
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    let ran = match finished.recv_timeout(timeout) {
        Ok(output) => output.map(Ran::Exited),
        Err(RecvTimeoutError::Disconnected) => Err(std::io::Error::other("the waiter vanished")),
        Err(RecvTimeoutError::Timeout) => {
            stop_group(group, || finished.recv_timeout(GRACE).is_ok());
            Ok(Ran::TimedOut)
        }
    };
    owned().groups.retain(|g| *g != group);
    ran
}

/// Stops the process group `group`: SIGTERM, then SIGKILL unless `ended` reports within the
/// grace period that it is gone.
fn stop_group(group: u32, ended: impl FnOnce() -> bool) {
    signal_group(group, Stop::Term);
    if !ended() {
        signal_group(group, Stop::Kill);
    }
}

#[derive(Clone, Copy)]
enum Stop {
    Term,
    Kill,
}

/// Starts the termination handler once per process: on SIGTERM, SIGINT or SIGHUP it stops every
/// running child's group, deletes every [`Workspace`], and ends the process by that signal.
fn handle_termination() {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            // Without the handler, a signal still ends gitops-gen; only the cleanup is lost.
            if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP])
            {
                std::thread::spawn(move || {
                    if let Some(signal) = signals.forever().next() {
                        // Holding the lock keeps the main thread from finishing first with an
                        // error of its own about the children just stopped.
                        let _held = clean_up();
                        let _ = signal_hook::low_level::emulate_default_handler(signal);
                        std::process::exit(128 + signal);
                    }
                });
            }
        }
    });
}

/// Stops every child's group and deletes every workspace; no child starts afterwards. Returns the
/// lock, so the main thread can neither start nor finish anything until the process ends.
fn clean_up() -> MutexGuard<'static, Owned> {
    let mut owned = owned();
    owned.stopping = true;
    for group in &owned.groups {
        signal_group(*group, Stop::Term);
    }
    if !owned.groups.is_empty() {
        std::thread::sleep(GRACE);
    }
    for group in &owned.groups {
        signal_group(*group, Stop::Kill);
    }
    for dir in &owned.dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
    owned
}

#[cfg(unix)]
fn own_group(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
}

#[cfg(not(unix))]
fn own_group(_cmd: &mut Command) {}

#[cfg(unix)]
fn signal_group(group: u32, stop: Stop) {
    use rustix::process::{Pid, Signal, kill_process_group};
    let signal = match stop {
        Stop::Term => Signal::TERM,
        Stop::Kill => Signal::KILL,
    };
    if let Some(pid) = i32::try_from(group).ok().and_then(Pid::from_raw) {
        // The group may be gone already; that is the goal, not an error.
        let _ = kill_process_group(pid, signal);
    }
}

#[cfg(not(unix))]
fn signal_group(_group: u32, _stop: Stop) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_past_its_deadline_is_stopped_with_its_group() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let marker = dir.path().join("grandchild-ran");
        let mut cmd = Command::new("sh");
        // A grandchild that would leave a mark if it outlived the stop.
        cmd.arg("-c").arg(format!(
            "(sleep 2; touch '{}') & sleep 30",
            marker.display()
        ));
        let started = std::time::Instant::now();
        assert!(matches!(
            run(cmd, Duration::from_millis(200))?,
            Ran::TimedOut
        ));
        assert!(started.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(2500));
        assert!(!marker.exists(), "the grandchild survived");
        Ok(())
    }

    #[test]
    fn output_of_a_quick_child_is_captured() -> std::io::Result<()> {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg("echo out; echo err >&2; exit 3");
        let Ran::Exited(output) = run(cmd, Duration::from_secs(30))? else {
            return Err(std::io::Error::other("timed out"));
        };
        assert_eq!(output.stdout, b"out\n");
        assert_eq!(output.stderr, b"err\n");
        assert_eq!(output.status.code(), Some(3));
        Ok(())
    }

    #[test]
    fn a_workspace_is_registered_while_it_lives() -> std::io::Result<()> {
        let work = Workspace::new("gitops-gen-test-")?;
        let path = work.path().to_owned();
        assert!(owned().dirs.contains(&path));
        drop(work);
        assert!(!owned().dirs.contains(&path));
        assert!(!path.exists());
        Ok(())
    }
}
