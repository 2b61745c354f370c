#!/usr/bin/env python3
"""Checks packaging/controls.json against the "Test controls" section of mock-server/README.md.

A control is a method and a path under /__mock/ (numeric ids read as {id}); POST /__mock/clock
counts twice, once per body ("advance", "set"). Fails (exit 1) when the README documents a control
that controls.json lacks, or controls.json lists one the README does not document, or an entry
lacks a launcher name.

Usage: check-controls.py [--readme FILE] [--controls FILE]
"""
import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAUNCHERS = ("js", "python", "jvm")


def documented(readme_text):
    """The (method, path, body) controls the README's 'Test controls' section shows."""
    m = re.search(r"^## Test controls.*?$(.*?)^## ", readme_text, re.S | re.M)
    if not m:
        raise SystemExit("mock-server README: no '## Test controls' section")
    found = set()
    for line in m.group(1).splitlines():
        line = line.strip()
        if not line.startswith("curl "):
            continue
        method = re.search(r"-X\s+([A-Z]+)", line)
        method = method.group(1) if method else "GET"
        path = re.search(r"\$B(/__mock/\S*)", line)
        if not path:
            raise SystemExit(f"mock-server README: a curl line without $B/__mock/: {line}")
        path = re.sub(r"/\d+(?=/|$)", "/{id}", path.group(1))
        body = None
        if path == "/__mock/clock" and method == "POST":
            key = re.search(r"-d\s+'\{\"(\w+)\"", line)
            body = key.group(1) if key else None
        found.add((method, path, body))
    return found


def listed(controls):
    out = {}
    for c in controls["controls"]:
        key = (c["method"], c["path"], c.get("body"))
        if key in out:
            raise SystemExit(f"controls.json lists {key} twice")
        out[key] = c
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--readme", default=ROOT / "mock-server" / "README.md")
    ap.add_argument("--controls", default=ROOT / "packaging" / "controls.json")
    a = ap.parse_args()
    doc = documented(Path(a.readme).read_text())
    lst = listed(json.loads(Path(a.controls).read_text()))
    errors = []
    for key in sorted(doc - lst.keys(), key=str):
        errors.append(f"documented in the mock's README but missing from controls.json: {key}")
    for key in sorted(lst.keys() - doc, key=str):
        errors.append(f"in controls.json but not documented in the mock's README: {key}")
    for key, c in lst.items():
        for launcher in LAUNCHERS:
            if not c.get(launcher):
                errors.append(f"{key}: no {launcher} name")
    for e in errors:
        print("check-controls:", e, file=sys.stderr)
    if errors:
        return 1
    print(f"check-controls: {len(doc)} controls documented, all listed with a js, python and jvm name")
    return 0


if __name__ == "__main__":
    sys.exit(main())
