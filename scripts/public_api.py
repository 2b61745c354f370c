#!/usr/bin/env python3
"""Prints the public API of a crate from its rustdoc JSON, one sorted line per item.

    python3 scripts/public_api.py target/doc/cocart.json

Functions and methods carry their signatures, structs their public fields, enums their
variants, traits their methods, and `#[deprecated]` marks deprecated items, so that renaming,
removing, adding or changing the signature of anything public changes the listing.
"""

import json
import sys


def render_type(t):
    if t is None:
        return "()"
    if isinstance(t, str):
        return t
    (kind, v), = t.items()
    if kind == "primitive":
        return v
    if kind == "generic":
        return v
    if kind == "resolved_path":
        return v["path"] + render_args(v.get("args"))
    if kind == "borrowed_ref":
        life = (v.get("lifetime") + " ") if v.get("lifetime") else ""
        return "&" + life + ("mut " if v.get("is_mutable") else "") + render_type(v["type"])
    if kind == "tuple":
        return "(" + ", ".join(render_type(x) for x in v) + ")"
    if kind == "slice":
        return "[" + render_type(v) + "]"
    if kind == "array":
        return "[" + render_type(v["type"]) + "; " + str(v["len"]) + "]"
    if kind == "impl_trait":
        return "impl " + " + ".join(render_bound(b) for b in v)
    if kind == "dyn_trait":
        return "dyn " + " + ".join(
            p["trait"]["path"] + render_args(p["trait"].get("args")) for p in v["traits"]
        )
    if kind == "raw_pointer":
        return ("*mut " if v.get("is_mutable") else "*const ") + render_type(v["type"])
    if kind == "qualified_path":
        return "<" + render_type(v["self_type"]) + ">::" + v["name"]
    if kind == "function_pointer":
        sig = v.get("sig") or v.get("decl") or {}
        return "fn(" + ", ".join(render_type(x[1]) for x in sig.get("inputs", [])) + ")"
    return kind


def render_args(args):
    if not args:
        return ""
    if "angle_bracketed" in args:
        parts = []
        for a in args["angle_bracketed"].get("args", []):
            if "type" in a:
                parts.append(render_type(a["type"]))
            elif "lifetime" in a:
                parts.append(a["lifetime"])
            elif "const" in a:
                parts.append(str(a["const"].get("expr", "_")))
        for c in args["angle_bracketed"].get("constraints", []):
            parts.append(c.get("name", "?"))
        return "<" + ", ".join(parts) + ">" if parts else ""
    if "parenthesized" in args:
        p = args["parenthesized"]
        out = "(" + ", ".join(render_type(x) for x in p.get("inputs", [])) + ")"
        if p.get("output"):
            out += " -> " + render_type(p["output"])
        return out
    return ""


def render_bound(b):
    if isinstance(b, dict) and "trait_bound" in b:
        tr = b["trait_bound"]["trait"]
        return tr["path"] + render_args(tr.get("args"))
    if isinstance(b, dict) and "outlives" in b:
        return b["outlives"]
    return "?"


def signature(item):
    f = item["inner"]["function"]
    sig = f.get("sig") or f.get("decl")
    header = f.get("header", {})
    prefix = "async fn " if header.get("is_async") else "fn "
    inputs = ", ".join(
        (name if name == "self" else name + ": " + render_type(ty)) for name, ty in sig["inputs"]
    )
    out = sig.get("output")
    return prefix + item["name"] + "(" + inputs + ")" + (" -> " + render_type(out) if out else "")


def main(path):
    doc = json.load(open(path))
    index = doc["index"]
    lines = set()

    def mark(item):
        return " #[deprecated]" if item.get("deprecation") else ""

    def walk_impls(owner_path, impl_ids):
        for iid in impl_ids:
            imp = index.get(str(iid)) or index.get(iid)
            if not imp:
                continue
            inner = imp["inner"]["impl"]
            if inner.get("is_synthetic") or inner.get("blanket_impl"):
                continue
            trait = inner.get("trait")
            if trait:
                lines.add(f"impl {trait['path']}{render_args(trait.get('args'))} for {owner_path}")
                continue
            for mid in inner["items"]:
                m = index.get(str(mid)) or index.get(mid)
                if not m or m.get("visibility") != "public":
                    continue
                if "function" in m["inner"]:
                    lines.add(f"{owner_path}::{signature(m)}{mark(m)}")
                elif "assoc_const" in m["inner"]:
                    lines.add(f"const {owner_path}::{m['name']}{mark(m)}")

    seen = set()

    def walk(module_path, mid, rename=None):
        item = index.get(str(mid)) or index.get(mid)
        if not item or (module_path, str(mid)) in seen:
            return
        seen.add((module_path, str(mid)))
        name = rename or item.get("name")
        kind, inner = next(iter(item["inner"].items()))
        path = f"{module_path}::{name}" if name and module_path else (name or module_path)
        if kind == "module":
            lines.add(f"mod {path}{mark(item)}")
            for child in inner["items"]:
                walk(path, child)
        elif kind == "use":
            target = inner.get("source") or "?"
            target_id = inner.get("id")
            local = target_id is not None and (str(target_id) in index or target_id in index)
            if inner.get("is_glob"):
                lines.add(f"use {module_path}::{target}::*")
                if local:
                    t = index.get(str(target_id)) or index.get(target_id)
                    if "module" in t["inner"]:
                        for child in t["inner"]["module"]["items"]:
                            walk(module_path, child)
            elif local:
                # A re-export of this crate's own item: list it where users name it.
                if item.get("deprecation"):
                    lines.add(f"use {module_path}::{inner.get('name')} #[deprecated]")
                walk(module_path, target_id, inner.get("name"))
            else:
                lines.add(f"use {module_path}::{inner.get('name')} = {target}{mark(item)}")
        elif kind == "function":
            lines.add(f"{module_path}::{signature(item)}{mark(item)}")
        elif kind == "struct":
            lines.add(f"struct {path}{mark(item)}")
            skind = inner.get("kind", {})
            fields = []
            if isinstance(skind, dict):
                if "plain" in skind:
                    fields = skind["plain"].get("fields", [])
                elif "tuple" in skind:
                    fields = [f for f in skind["tuple"] if f is not None]
            for fid in fields:
                f = index.get(str(fid)) or index.get(fid)
                if f and f.get("visibility") == "public":
                    lines.add(f"field {path}.{f['name']}: {render_type(f['inner']['struct_field'])}")
            walk_impls(path, inner.get("impls", []))
        elif kind == "enum":
            lines.add(f"enum {path}{mark(item)}")
            for vid in inner.get("variants", []):
                v = index.get(str(vid)) or index.get(vid)
                if v:
                    lines.add(f"variant {path}::{v['name']}{mark(v)}")
            walk_impls(path, inner.get("impls", []))
        elif kind == "trait":
            lines.add(f"trait {path}{mark(item)}")
            for tid in inner.get("items", []):
                t = index.get(str(tid)) or index.get(tid)
                if t and "function" in t["inner"]:
                    lines.add(f"trait-fn {path}::{signature(t)}")
        elif kind == "type_alias":
            lines.add(f"type {path} = {render_type(inner['type'])}{mark(item)}")
        elif kind == "constant":
            lines.add(f"const {path}: {render_type(inner['type'])}{mark(item)}")
        elif kind == "static":
            lines.add(f"static {path}: {render_type(inner['type'])}{mark(item)}")
        elif kind in ("macro", "proc_macro"):
            lines.add(f"macro {path}")

    root = doc["root"]
    walk("", root)
    for line in sorted(lines):
        print(line)


if __name__ == "__main__":
    main(sys.argv[1])
