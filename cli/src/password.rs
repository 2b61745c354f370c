//! Reading the username and password: from a flag or the environment (clap fills both in), an
//! interactive prompt (the password without echo), or one line of stdin when it is not a
//! terminal (`echo "$PW" | cocart login -u jane`).

use std::io::{BufRead, IsTerminal, Write};

use secrecy::SecretString;

use super::exit::Failure;

/// The username: as given, else prompted for on a terminal.
pub fn username(given: Option<String>) -> Result<String, Failure> {
    if let Some(u) = given.filter(|u| !u.trim().is_empty()) {
        return Ok(u.trim().to_string());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage("no username given")
            .hint("pass --username USER (or set COCART_USERNAME)"));
    }
    eprint!("Username or email: ");
    let _ = std::io::stderr().flush();
    let line = read_line(&mut std::io::stdin().lock())?;
    if line.is_empty() {
        return Err(Failure::usage("no username given").hint("pass --username USER"));
    }
    Ok(line)
}

/// The password: as given, else prompted for without echo on a terminal, else one line of stdin.
pub fn password(given: Option<String>, username: &str) -> Result<SecretString, Failure> {
    let raw = match given {
        Some(p) => p,
        None if std::io::stdin().is_terminal() => {
            rpassword::prompt_password(format!("Password for {username}: ")).map_err(|e| {
                Failure::usage(format!("cannot read the password: {e}"))
                    .hint("pass it in COCART_PASSWORD instead")
            })?
        }
        None => read_line(&mut std::io::stdin().lock())?,
    };
    if raw.is_empty() {
        return Err(Failure::usage("no password given")
            .hint("pass --password, set COCART_PASSWORD, or type it at the prompt"));
    }
    Ok(SecretString::from(raw))
}

/// One line without its line ending.
pub fn read_line(reader: &mut impl BufRead) -> Result<String, Failure> {
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .map_err(|e| Failure::usage(format!("cannot read stdin: {e}")))?;
    let trimmed = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(trimmed);
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn a_piped_line_loses_only_its_line_ending() {
        let mut input = std::io::Cursor::new(" pass word \r\nnext\n");
        assert_eq!(read_line(&mut input).unwrap(), " pass word ");
        assert_eq!(read_line(&mut input).unwrap(), "next");
        assert_eq!(read_line(&mut input).unwrap(), "");
    }

    #[test]
    fn a_given_password_is_used_and_an_empty_one_refused() {
        let p = password(Some("s3cret".into()), "jane").unwrap();
        assert_eq!(p.expose_secret(), "s3cret");
        let e = password(Some(String::new()), "jane").unwrap_err();
        assert_eq!(e.exit, super::super::exit::Exit::Usage);
    }
}
