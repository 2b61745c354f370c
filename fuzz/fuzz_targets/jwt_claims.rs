//! A token as text, and a token whose payload is the input: claims decode or are typed errors,
//! and a decoded lifetime stays within its bounds.
#![no_main]

use cocart::auth::claims::{MAX_TOKEN_LIFETIME_SECS, decode_unverified};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = decode_unverified(&text);
    let payload = base64_url(data);
    if let Ok(claims) = decode_unverified(&format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln")) {
        assert!((0..=MAX_TOKEN_LIFETIME_SECS).contains(&claims.lifetime_secs()));
    }
});

/// Unpadded base64url, written out so the target needs no other crate.
fn base64_url(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(data.len() * 4 / 3 + 4);
    for chunk in data.chunks(3) {
        let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}
