//! The `cocart` command-line tool.
