//! A store's answer as arbitrary bytes (status, headers, body): the prober's parsing, both error
//! envelopes, the `Date` header, the token readers (`exp − iat`) and the contract's matcher and
//! comparison never panic or overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    cocart_contract::fuzzing::one_input(data);
});
