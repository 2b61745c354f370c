//! Link settings of the mobile library's size profile (`release-small`, the only profile with
//! `opt-level = "z"`), measured by `scripts/bench.sh` and held to its budget by
//! `scripts/size-gate.sh`:
//!
//! - Linux (glibc): pack the relative relocations (`-z pack-relative-relocs`, DT_RELR). Some
//!   15,000 pointers in read-only data (vtables, panic locations, string slices) otherwise cost
//!   24 bytes each in `.rela.dyn`, about 350 KB; packed, 3 KB. Android's NDK clang packs them by
//!   default for API 23 and later (`--pack-dyn-relocs=android`), so the Linux build stands for
//!   the Android one. A Linux library built this way needs glibc 2.36 or later to load.
//! - Linux and Android (both linked by LLD): fold identical functions (`--icf=all`), the many
//!   copies of generic code that compile to the same bytes, about 90 KB. Apple's linker
//!   deduplicates them by default. Rust does not promise distinct addresses for distinct
//!   functions, so no code may rely on them.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("OPT_LEVEL") != "z" {
        return;
    }
    let os = var("CARGO_CFG_TARGET_OS");
    if os == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,pack-relative-relocs");
    }
    if os == "linux" || os == "android" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,--icf=all");
    }
}
