#!/usr/bin/env python3
"""Checks the verdicts recorded in tests/fixtures/yaml-libyaml/ against libyaml.

Every file whose name starts with `reject-` must be refused by libyaml (PyYAML's CSafeLoader,
the C library GitLab's Ruby parser wraps), every other file accepted. The Rust test
`yaml::tests::libyaml_corpus_verdicts_match` holds our parser to the same verdicts without
needing PyYAML; run this script after adding a file to the corpus.
"""

import pathlib
import sys

import yaml

if not getattr(yaml, "__with_libyaml__", False):
    sys.exit("PyYAML is installed without libyaml; install the C extension")

corpus = pathlib.Path(__file__).resolve().parent.parent / "tests/fixtures/yaml-libyaml"
wrong = 0
for path in sorted(corpus.glob("*.yaml")):
    try:
        list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))
        accepted = True
    except yaml.YAMLError:
        accepted = False
    recorded = not path.name.startswith("reject-")
    if accepted != recorded:
        wrong += 1
        verdict = "accepts" if accepted else "rejects"
        print(f"{path.name}: libyaml {verdict} it, the file name says otherwise")
print(f"{len(list(corpus.glob('*.yaml')))} files, {wrong} verdict(s) differ")
sys.exit(1 if wrong else 0)
