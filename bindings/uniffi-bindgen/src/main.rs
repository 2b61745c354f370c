//! `cargo run -p uniffi-bindgen -- generate <lib> --language kotlin|swift --out-dir <dir>`:
//! the bindings generator at exactly the uniffi version the FFI crate links.

fn main() {
    uniffi::uniffi_bindgen_main()
}
