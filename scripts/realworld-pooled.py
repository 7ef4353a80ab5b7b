#!/usr/bin/env python3
"""Pools the clean figures of several held-out sets of the real-world evaluation set
(tests/realworld/README.md), each scored with the build it was first scored at.

Each argument is SET=BUILD: a folder of cases and the analyzer build that scored it once,
untouched (`tests/realworld/holdout-25=/path/to/gitops-gen`). For every set and for all of them
pooled, it prints four recalls per measure, with the same measures and name normalisation as
`realworld-score.py`:

  first      the analyzer against the first label (label.json): the issue's goals
  consensus  the analyzer against the items both labellers list (cases with label-2.json)
  A -> B     the second labeller against the first: what an analyzer that judged exactly like
             another careful labeller would score on the `first` column
  precision  the analyzer's precision against the first label

and, pooled, a 95% interval for `first` and `consensus` from a bootstrap over cases (a case's
items move together: one pipeline's environments are not independent draws). False deploy
files and crashes are counted as `realworld-score.py` counts them.

Usage: scripts/realworld-pooled.py SET=BUILD [SET=BUILD ...] [--bootstrap N] [--seed N]
                                   [--corrections FILE] [--timeout S]
"""

import argparse
import importlib.util
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _module(name, file):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The measures, label items and scorer of the two scripts this one pools.
agreement = _module("agreement", "realworld-agreement.py")
score = agreement.score
MEASURES = agreement.MEASURES
items = agreement.items
# Per case and measure: (found, expected) against the first label, against the consensus,
# the second labeller against the first, and the analyzer's predicted count.
COLUMNS = ("first", "consensus", "a_to_b")


def case_counts(case, build, timeout, fixes):
    """The counts of one case, or None when it has no label or no laid-out repo."""
    if not (case / "label.json").is_file() or not (case / "repo").is_dir():
        return None
    first = score.corrected(json.loads((case / "label.json").read_text()), fixes.get("label"))
    a = items(*score.expected(first))
    second_path = case / "label-2.json"
    b = None
    if second_path.is_file():
        second = score.corrected(json.loads(second_path.read_text()), fixes.get("label-2"))
        b = items(*score.expected(second))
    doc, error = score.run(build, case / "repo", timeout)
    p = items(*score.predicted(doc or {}))
    out = {"case": case.name, "error": error, "false": len(p["files"] - a["files"])}
    for _, k in MEASURES:
        out[k] = {
            "first": (len(a[k] & p[k]), len(a[k])),
            "predicted": len(p[k]),
            "consensus": (len(a[k] & b[k] & p[k]), len(a[k] & b[k])) if b else (0, 0),
            "a_to_b": (len(a[k] & b[k]), len(a[k])) if b else (0, 0),
        }
    return out


def ratio(cases, k, column):
    found = sum(c[k][column][0] for c in cases)
    expected = sum(c[k][column][1] for c in cases)
    return found, expected


def fmt(found, expected):
    return f"{found / expected:.3f} ({found}/{expected})" if expected else "–"


def interval(cases, k, column, rounds, rng):
    """The 2.5th and 97.5th percentiles of the pooled recall over `rounds` resamplings of the
    cases (with replacement)."""
    if not cases:
        return None
    values = []
    for _ in range(rounds):
        sample = [rng.choice(cases) for _ in cases]
        found, expected = ratio(sample, k, column)
        if expected:
            values.append(found / expected)
    if not values:
        return None
    values.sort()
    return values[int(0.025 * (len(values) - 1))], values[int(0.975 * (len(values) - 1))]


def report(title, cases, rounds=0, rng=None):
    false = sum(c["false"] for c in cases)
    crashes = sum(1 for c in cases if c["error"])
    two = sum(1 for c in cases if c["envs"]["a_to_b"][1] or c["files"]["a_to_b"][1])
    print(f"\n{title}: {len(cases)} cases ({two} with two labels); "
          f"false deploy files {false}; crashes {crashes}")
    print(f"{'':22} {'first':>16} {'consensus':>16} {'A -> B':>16} {'precision':>10}")
    for name, k in MEASURES:
        predicted = sum(c[k]["predicted"] for c in cases)
        found = ratio(cases, k, "first")[0]
        precision = f"{found / predicted:.3f}" if predicted else "–"
        cells = [fmt(*ratio(cases, k, col)) for col in COLUMNS]
        print(f"{name:22} {cells[0]:>16} {cells[1]:>16} {cells[2]:>16} {precision:>10}")
        if rounds:
            spans = []
            for col in ("first", "consensus"):
                span = interval(cases, k, col, rounds, rng)
                spans.append(f"{span[0]:.3f}–{span[1]:.3f}" if span else "–")
            print(f"{'  95% interval':22} {spans[0]:>16} {spans[1]:>16}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sets", nargs="+", metavar="SET=BUILD")
    ap.add_argument("--bootstrap", type=int, default=2000, help="resamplings (0: none)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--corrections", help="drop the label entries this file lists (see README)")
    args = ap.parse_args()
    corrections = score.load_corrections(args.corrections)

    pooled = []
    for spec in args.sets:
        folder, sep, build = spec.partition("=")
        if not sep or not build:
            print(f"not SET=BUILD: {spec}", file=sys.stderr)
            return 2
        cases = []
        for case in sorted(Path(folder).iterdir()):
            counts = case_counts(case, build, args.timeout, corrections.get(case.name, {}))
            if counts:
                cases.append(counts)
                if counts["error"]:
                    print(f"{case.name}: {counts['error']}", file=sys.stderr)
        report(f"{Path(folder).name} at {Path(build).name}", cases)
        pooled.extend(cases)
    report("pooled", pooled, args.bootstrap, random.Random(args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
