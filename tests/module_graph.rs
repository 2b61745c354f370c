//! Every shipped crate's modules import each other in one direction only: no module reaches,
//! through `crate::…` or `super::…` paths, one that reaches it back. Read from the sources (unit
//! tests left out), one module per file; the crate root, which declares and re-exports
//! everything, is not a node.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file below `dir` with its module path (`auth/refresh/mod.rs` → `auth::refresh`).
fn modules(root: &Path, dir: &Path, out: &mut BTreeMap<String, PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("readable source directory")
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            modules(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).expect("below the root");
            let mut parts: Vec<String> = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                parts.pop();
            }
            out.insert(parts.join("::"), path);
        }
    }
}

/// The source without its unit tests and line comments.
fn code_of(source: &str) -> String {
    let source = source
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    source
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand(path: &str) -> Vec<String> {
    let Some(open) = path.find('{') else {
        return vec![path.to_string()];
    };
    let prefix = path[..open].trim_end_matches("::");
    let inner = &path[open + 1..path.rfind('}').unwrap_or(path.len())];
    let (mut items, mut depth, mut current) = (Vec::new(), 0, String::new());
    for ch in inner.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if ch == ',' && depth == 0 {
            items.push(std::mem::take(&mut current));
        } else {
            current.push(ch);
        }
    }
    items.push(current);
    items
        .iter()
        .map(|i| i.trim())
        .filter(|i| !i.is_empty())
        .flat_map(|i| expand(&format!("{prefix}::{i}")))
        .collect()
}

/// The paths a module names: its `use` items and inline `crate::…`/`super::…` paths.
fn paths_in(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut offset = 0;
    for line in code.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let start = ["use ", "pub use ", "pub(crate) use "]
            .iter()
            .find(|p| trimmed.starts_with(*p))
            .map(|p| offset + (line.len() - trimmed.len()) + p.len());
        offset += line.len();
        let Some(start) = start else { continue };
        let end = code[start..].find(';').map_or(code.len(), |e| start + e);
        let tree: String = code[start..end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        paths.extend(expand(&tree));
    }
    for anchor in ["crate::", "super::"] {
        for (at, _) in code.match_indices(anchor) {
            let tail: String = code[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            paths.push(tail);
        }
    }
    paths
}

/// The module a path lands in: its longest prefix that is a module.
fn target(path: &str, me: &[&str], mods: &BTreeMap<String, PathBuf>) -> Option<String> {
    let path = path.split(" as ").next().unwrap_or(path);
    let mut parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
    match parts.first() {
        Some(&"crate") => {
            parts.remove(0);
        }
        Some(&"super") => {
            // `super` of `a/b.rs` and of `a/b/mod.rs` (both module `a::b`) is `a`.
            let mut base: Vec<&str> = me[..me.len().saturating_sub(1)].to_vec();
            base.extend(&parts[1..]);
            parts = base;
        }
        _ => return None,
    }
    (1..=parts.len())
        .rev()
        .map(|k| parts[..k].join("::"))
        .find(|m| mods.contains_key(m))
}

/// The import circles among the modules of the crate whose sources are in `src`, which must
/// hold the modules named in `expected` (so a wrong directory cannot pass).
fn circles_in(src: &str, expected: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(src);
    let mut mods = BTreeMap::new();
    modules(&root, &root, &mut mods);
    for m in expected {
        assert!(mods.contains_key(*m), "{src} has no module {m}");
    }

    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, file) in &mods {
        if name.is_empty() || name.starts_with("bin::") || name == "main" {
            continue; // the crate root, and binaries (other crates)
        }
        let source = std::fs::read_to_string(file).expect("readable source");
        let me: Vec<&str> = name.split("::").collect();
        for path in paths_in(&code_of(&source)) {
            if let Some(to) = target(&path, &me, &mods)
                && &to != name
                && !to.is_empty()
            {
                graph.entry(name.clone()).or_default().insert(to);
            }
        }
    }
    // A child module naming its parent (`super::…`) is how Rust submodules work; the cycle that
    // matters is between modules that are not parent and child.
    for (from, tos) in &mut graph {
        tos.retain(|to| !from.starts_with(&format!("{to}::")));
    }

    let mut cycles = Vec::new();
    for start in graph.keys() {
        // Depth-first from `start`, looking for a way back to it.
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((node, trail)) = stack.pop() {
            for next in graph.get(&node).into_iter().flatten() {
                if next == start {
                    cycles.push(trail.join(" -> ") + " -> " + start);
                } else if seen.insert(next.clone()) {
                    let mut longer = trail.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    cycles
}

#[test]
fn no_module_of_a_shipped_crate_imports_one_that_imports_it_back() {
    let crates: [(&str, &[&str]); 5] = [
        ("sdk/src", &["transport", "auth::refresh", "retry"]),
        (
            "mock-server/src",
            &["state", "auth::handlers", "shop::world"],
        ),
        ("cli/src", &["doctor", "doctor::probe"]),
        ("contract/src", &["runner", "probe"]),
        ("session-redis/src", &["store", "lock"]),
    ];
    let mut found = Vec::new();
    for (src, expected) in crates {
        for c in circles_in(src, expected) {
            found.push(format!("{src}: {c}"));
        }
    }
    assert!(found.is_empty(), "import circles:\n{}", found.join("\n"));
}

#[test]
fn the_reader_sees_grouped_imports_and_a_circle() {
    assert_eq!(
        expand("crate::{a::B, c::{D, e::F}}"),
        ["crate::a::B", "crate::c::D", "crate::c::e::F"]
    );
    let code = "use crate::x::Y;\n}\npub use crate::{a::b::C};\nfn f() { crate::z::g(); }\n";
    assert_eq!(paths_in(code)[0], "crate::x::Y");
    assert!(paths_in(code).contains(&"crate::a::b::C".to_string()));
    assert!(paths_in(code).contains(&"crate::z::g".to_string()));
    let mods: BTreeMap<String, PathBuf> = ["x", "z", "a::b"]
        .iter()
        .map(|m| (m.to_string(), PathBuf::new()))
        .collect();
    assert_eq!(target("crate::x::Y", &["z"], &mods).as_deref(), Some("x"));
    assert_eq!(
        target("super::b::C", &["a", "c"], &mods).as_deref(),
        Some("a::b")
    );
}
