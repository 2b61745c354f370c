//! `cocart-mock`: runs the mock store until Ctrl-C.

fn main() {
    eprintln!("cocart-mock: not wired yet");
}
