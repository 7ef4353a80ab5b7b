#!/usr/bin/env python3
"""How far two blind labellers agree on the real-world evaluation set, and how `analyze` scores
against what they agree on (tests/realworld/README.md, "Labeller agreement").

A case with a second label (`label-2.json`, written by another labeller from the same `repo/`
files without seeing `label.json` or the analyzer's output) is compared item by item with the
same measures and the same name normalisation as `realworld-score.py`:

  A -> B    the second labeller's recall against the first (= the first's precision against
            the second): the recall an analyzer that judged exactly like the second labeller
            would get against the first labeller's labels. It bounds what the goals of issue 9
            can mean: a figure above it measures agreement with one labeller's conventions,
            not correctness.
  B -> A    the same the other way round.
  consensus the analyzer's recall against the items both labellers list (and its precision
            against the items either lists), with `--bin`.

Usage: scripts/realworld-agreement.py [--cases DIR ...] [--second label-2.json] [--bin PATH]
                                      [--details] [--corrections FILE]
"""

import argparse
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("score", ROOT / "scripts/realworld-score.py")
score = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(score)

MEASURES = [
    ("deploy-file", "files"),
    ("tool", "tools"),
    ("environment", "envs"),
    ("environment->trigger", "pairs"),
]


def items(files, tools, envs):
    """The four sets a label or an analysis is compared by."""
    pairs = {(n, *t) for n, ts in envs.items() for t in ts}
    return {"files": files, "tools": tools, "envs": set(envs), "pairs": pairs}


def line(name, t):
    return (
        f"{name:22} recall {t.recall():.3f} ({t.found}/{t.expected})"
        f"  precision {t.precision():.3f} ({t.found}/{t.predicted})"
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", nargs="+", default=[str(ROOT / "tests/realworld/holdout-7")])
    ap.add_argument("--second", default="label-2.json")
    ap.add_argument("--bin", help="also score this analyzer build against the consensus")
    ap.add_argument("--details", action="store_true", help="print each disagreement")
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--corrections", help="drop the label entries this file lists (see README)")
    args = ap.parse_args()
    corrections = score.load_corrections(args.corrections)

    cases = sorted(
        case
        for d in args.cases
        for case in Path(d).iterdir()
        if (case / "label.json").is_file() and (case / args.second).is_file()
    )
    a_to_b = {k: score.Tally() for _, k in MEASURES}
    b_to_a = {k: score.Tally() for _, k in MEASURES}
    consensus = {k: score.Tally() for _, k in MEASURES}
    outside = {k: 0 for _, k in MEASURES}
    deploys_agree = 0
    for case in cases:
        fixes = corrections.get(case.name, {})
        first = score.corrected(json.loads((case / "label.json").read_text()), fixes.get("label"))
        second = json.loads((case / args.second).read_text())
        second = score.corrected(second, fixes.get(Path(args.second).stem))
        a = items(*score.expected(first))
        b = items(*score.expected(second))
        deploys_agree += bool(first.get("deploys")) == bool(second.get("deploys"))
        for k in a:
            a_to_b[k].add(a[k], b[k])
            b_to_a[k].add(b[k], a[k])
        if args.details and any(a[k] != b[k] for k in a):
            print(f"\n{case.parent.name}/{case.name}")
            for k in a:
                if a[k] != b[k]:
                    print(f"  {k}: only first {sorted(a[k] - b[k], key=str)}")
                    print(f"  {' ' * len(k)}  only second {sorted(b[k] - a[k], key=str)}")
        if args.bin and (case / "repo").is_dir():
            doc, error = score.run(args.bin, case / "repo", args.timeout)
            p = items(*score.predicted(doc or {}))
            if error:
                print(f"{case.name}: {error}", file=sys.stderr)
            for k in a:
                # Recall against what both list; precision against what either lists.
                both, either = a[k] & b[k], a[k] | b[k]
                consensus[k].found += len(both & p[k])
                consensus[k].expected += len(both)
                consensus[k].predicted += len(p[k])
                outside[k] += len(p[k] - either)

    print(f"{len(cases)} cases with two labels; `deploys` agrees on {deploys_agree}")
    print("\nsecond labeller against the first (A -> B)")
    for name, k in MEASURES:
        print(line(name, a_to_b[k]))
    print("\nfirst labeller against the second (B -> A)")
    for name, k in MEASURES:
        print(line(name, b_to_a[k]))
    if args.bin:
        print(f"\n{args.bin} against the consensus (recall: items both list; "
              "outside: predicted items neither lists)")
        for name, k in MEASURES:
            t = consensus[k]
            print(
                f"{name:22} recall {t.recall():.3f} ({t.found}/{t.expected})"
                f"  outside both {outside[k]}/{t.predicted}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
