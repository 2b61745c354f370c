//! Writes `contract/CONTRACT.md` from `contract/contract.toml`.

fn main() -> std::process::ExitCode {
    let contract = match cocart_contract::Contract::builtin() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/CONTRACT.md");
    match std::fs::write(path, cocart_contract::doc::markdown(&contract)) {
        Ok(()) => {
            println!("wrote {path}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write {path}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
