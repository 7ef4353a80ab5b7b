#!/usr/bin/env python3
"""Lays out the files of each real-world case (tests/realworld/README.md) under its `repo/`.

For every `tests/realworld/cases/<id>/source.json` whose `repo/` is missing, the files it lists
are copied from `--from DIR/<id>/repo/` when given (a local copy of the set), else read at the
recorded commit from `--git DIR/<owner>+<name>` (a clone or mirror of the repository, or one
in a `repo` folder there), else downloaded from raw.githubusercontent.com at the
recorded commit. Cases that cannot be laid out are listed
at the end; nothing is skipped silently.

Usage: scripts/realworld-fetch.py [--from DIR | --git DIR] [--cases DIR]
"""

import argparse
import json
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fetch_remote(source, repo_dir):
    if not source.get("commit"):
        raise RuntimeError("no commit recorded")
    for path in source["files"]:
        url = f"https://raw.githubusercontent.com/{source['repo']}/{source['commit']}/{path}"
        with urllib.request.urlopen(url, timeout=30) as response:
            data = response.read()
        target = repo_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def git_dir(mirrors, repo):
    """The git directory of the mirror of `owner/name` under `mirrors`, or None."""
    base = Path(mirrors) / repo.replace("/", "+")
    candidates = [base / "repo" / ".git", base / "repo", base / ".git", base]
    return next((d for d in candidates if (d / "HEAD").is_file()), None)


def read_git(source, mirrors, repo_dir):
    if not source.get("commit"):
        raise RuntimeError("no commit recorded")
    git_dir_found = git_dir(mirrors, source["repo"])
    if git_dir_found is None:
        raise RuntimeError(f"no git directory for {source['repo']} under {mirrors}")
    for path in source["files"]:
        shown = subprocess.run(
            ["git", "--git-dir", str(git_dir_found), "show", f"{source['commit']}:{path}"],
            capture_output=True,
            check=False,
        )
        if shown.returncode != 0:
            raise RuntimeError(f"{path}: {shown.stderr.decode(errors='replace').strip()}")
        target = repo_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(shown.stdout)


def copy_local(source, origin, repo_dir):
    for path in source["files"]:
        src = origin / path
        if not src.is_file():
            raise RuntimeError(f"{src} is missing")
        target = repo_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--from", dest="origin", help="a local copy: DIR/<id>/repo/<files>")
    ap.add_argument("--git", help="clones or mirrors: DIR/<owner>+<name>")
    ap.add_argument("--cases", default=str(ROOT / "tests/realworld/cases"))
    args = ap.parse_args()
    failed = []
    laid_out = 0
    for case in sorted(Path(args.cases).iterdir()):
        source_file = case / "source.json"
        repo_dir = case / "repo"
        if not source_file.is_file() or repo_dir.is_dir():
            continue
        source = json.loads(source_file.read_text())
        try:
            if args.origin:
                copy_local(source, Path(args.origin) / case.name / "repo", repo_dir)
            elif args.git:
                read_git(source, args.git, repo_dir)
            else:
                fetch_remote(source, repo_dir)
            laid_out += 1
        except Exception as e:  # noqa: BLE001 - every failure is reported below
            shutil.rmtree(repo_dir, ignore_errors=True)
            failed.append((case.name, str(e)))
    print(f"laid out {laid_out} case(s)")
    for name, why in failed:
        print(f"not laid out: {name}: {why}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
