#!/usr/bin/env python3
"""Derive JSON Schemas (draft-07) from CustomResourceDefinitions, for the CRDs gitops-gen
generates objects of and the shared validator has no schema for.

    python3 scripts/crd-schemas.py OUT_DIR CRD.yaml...

Each served version of each CRD becomes OUT_DIR/<group>/<kind lowercase>-<version>.json:
its openAPIV3Schema with apiVersion and kind pinned, `nullable` as a `null` type,
int-or-string as integer|string, and unknown fields refused (`additionalProperties: false`) on
every object that lists `properties` and does not preserve unknown fields. Formats and CEL rules
are dropped, as the validator does. The output is committed (tests/fixtures/crds/); the README
there names the source of each CRD.
"""
import json
import os
import sys

import yaml


def convert(node):
    if isinstance(node, list):
        return [convert(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    preserve = node.get("x-kubernetes-preserve-unknown-fields") is True
    for key, value in node.items():
        if key.startswith("x-kubernetes-") or key == "format":
            continue
        if key in ("properties", "patternProperties", "definitions"):
            out[key] = {k: convert(v) for k, v in value.items()}
        elif key == "nullable":
            continue
        else:
            out[key] = convert(value)
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["type"] = ["integer", "string"]
    if node.get("nullable") and "type" in out:
        kinds = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = kinds + ["null"]
    if "properties" in out and not preserve and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def main():
    out_dir, crds = sys.argv[1], sys.argv[2:]
    for path in crds:
        with open(path) as f:
            for crd in yaml.safe_load_all(f):
                if not crd or crd.get("kind") != "CustomResourceDefinition":
                    continue
                group = crd["spec"]["group"]
                kind = crd["spec"]["names"]["kind"]
                for version in crd["spec"]["versions"]:
                    if not version.get("served"):
                        continue
                    schema = convert(version["schema"]["openAPIV3Schema"])
                    props = schema.setdefault("properties", {})
                    props["apiVersion"] = {"enum": [f"{group}/{version['name']}"]}
                    props["kind"] = {"enum": [kind]}
                    props["metadata"] = {"type": "object"}
                    schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
                    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
                    target = os.path.join(out_dir, group, f"{kind.lower()}-{version['name']}.json")
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with open(target, "w") as f:
                        json.dump(schema, f, sort_keys=True, separators=(",", ":"))
                        f.write("\n")
                    print(target)


if __name__ == "__main__":
    main()
