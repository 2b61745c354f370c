//! House style that rustfmt cannot check on stable: prose comments wrap at 100 columns (tables,
//! URLs and code blocks inside doc comments are exempt). `cargo +nightly fmt` rewraps them with
//! the options in `rustfmt.toml`.

use std::path::{Path, PathBuf};

const ROOTS: [&str; 10] = [
    "sdk",
    "cli",
    "mock-server",
    "contract",
    "session-redis",
    "bindings/ffi",
    "src",
    "tests",
    "examples",
    "benches",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `file:line (width)` of every prose comment line wider than 100 characters.
fn wide_comment_lines(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut fenced = false;
    let mut wide = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix("//") else {
            continue;
        };
        let content = rest.trim_start_matches(['/', '!']).trim_start();
        if content.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced || content.contains('|') || content.contains("://") {
            continue;
        }
        let width = line.chars().count();
        if width > 100 {
            wide.push(format!("{}:{} ({width})", path.display(), n + 1));
        }
    }
    wide
}

#[test]
fn prose_comments_wrap_at_100_columns() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ROOTS {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 100, "found only {} files", files.len());
    let wide: Vec<String> = files.iter().flat_map(|f| wide_comment_lines(f)).collect();
    assert!(
        wide.is_empty(),
        "comment lines wider than 100 columns (run `cargo +nightly fmt -- --config \
         wrap_comments=true,comment_width=100`):\n{}",
        wide.join("\n")
    );
}

#[test]
fn the_check_sees_a_wide_comment() {
    let dir = std::env::temp_dir().join(format!("house-style-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("wide.rs");
    let long = format!(
        "/// {}\n/// | a table may be wide {} |\n",
        "word ".repeat(25),
        "x".repeat(100)
    );
    std::fs::write(&file, long).unwrap();
    let wide = wide_comment_lines(&file);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(wide.len(), 1, "{wide:?}");
}
