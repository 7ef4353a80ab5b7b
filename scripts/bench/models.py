#!/usr/bin/env python3
"""Writes a gitops-gen model (DEST/gitops-gen.yaml) of a given size, for benchmarking `generate`.

Usage: scripts/bench/models.py --apps A --envs E [--operator flux|argocd|fleet] DEST

The model has A apps (app1..appA) and E environments: development, staging and production
when E <= 3 (the last E of them), else env1..envE, each promoted from its own branch
(production, and the last env of a larger model, from `v*` tags by pull request). Both CIs are
written (`ci: both`), images go to ghcr.io/bench. Apps vary a little: some have a test command,
a build context of their own or another port; all use the default scaffolded base. Argo CD and
Fleet need the repository's address, so the model then sets `gitops.url`. DEST is created if
missing; an existing gitops-gen.yaml there is replaced. The same arguments give the same bytes.
"""

import argparse
import os
import sys

NAMED_ENVS = ("development", "staging", "production")


def environments(n):
    """YAML lines of n environments, in promotion order."""
    if n <= len(NAMED_ENVS):
        names = NAMED_ENVS[len(NAMED_ENVS) - n:]
        branches = {"development": "develop", "staging": "main"}
    else:
        names = [f"env{i}" for i in range(1, n + 1)]
        branches = {name: f"deploy/{name}" for name in names[:-1]}
    lines = []
    for name in names:
        if name in branches:
            lines.append(f"  - {{name: {name}, branches: [{branches[name]}]}}")
        else:  # the last one: production releases from tags, through a pull request
            lines.append(f"  - {{name: {name}, tags: [\"v*\"], promotion: pull-request}}")
    return lines


def apps(n):
    """YAML lines of n apps, app1..appN, with a few variations by index."""
    lines = []
    for i in range(1, n + 1):
        keys = [f"name: app{i}"]
        if i % 4 != 0:
            keys.append('test: "make test"')
        if i % 3 == 0:
            keys.append(f"context: services/app{i}")
        if i % 5 == 0:
            keys.append(f"port: {3000 + i % 100}")
        lines.append("  - {" + ", ".join(keys) + "}")
    return lines


def model(n_apps, n_envs, operator):
    lines = [
        f"# Benchmark model: {n_apps} apps x {n_envs} environments, {operator}, both CIs.",
        "# Written by scripts/bench/models.py.",
        "version: 1",
        "project: bench",
        "ci: both",
        f"operator: {operator}",
        "registry: ghcr.io/bench",
    ]
    if operator in ("argocd", "fleet"):  # they clone the repository by its address
        lines += ["gitops:", "  url: https://github.com/bench/bench.git"]
    lines += ["environments:", *environments(n_envs), "apps:", *apps(n_apps)]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--apps", type=int, required=True, metavar="A", help="number of apps")
    ap.add_argument("--envs", type=int, required=True, metavar="E", help="number of environments")
    ap.add_argument("--operator", choices=("flux", "argocd", "fleet"), default="flux",
                    help="pull-based operator (default flux)")
    ap.add_argument("dest", metavar="DEST", help="directory to write gitops-gen.yaml into")
    args = ap.parse_args()
    if args.apps < 1 or args.envs < 1:
        sys.exit("--apps and --envs must be at least 1")
    os.makedirs(args.dest, exist_ok=True)
    path = os.path.join(args.dest, "gitops-gen.yaml")
    with open(path, "w") as f:
        f.write(model(args.apps, args.envs, args.operator))
    print(path)


if __name__ == "__main__":
    main()
