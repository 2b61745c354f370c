//! `cocart`: a command-line client for WooCommerce stores running CoCart and CoCart JWT
//! Authentication. Run `cocart --help`; exit codes are listed there and in the README.

fn main() -> std::process::ExitCode {
    cocart_cli::main()
}
