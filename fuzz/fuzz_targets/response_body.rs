//! A response body: the PHP-notice skipper, the error envelopes, their classification, and the
//! token-rejection test, for every status the SDK treats specially.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(value) = cocart::fuzzing::json_part(data) {
        for status in [200, 400, 401, 403, 404, 429, 500, 503] {
            if let Some(api) = cocart::ApiError::from_body(status, &value) {
                let _ = cocart::ApiErrorKind::classify(&api.code, &api.message);
            }
        }
    }
    for status in [401, 403] {
        let _ = cocart::fuzzing::is_token_rejection(status, data);
    }
    let text = String::from_utf8_lossy(data);
    let (code, message) = text.split_once('\n').unwrap_or(("cocart_quantity_invalid_amount", &text));
    let _ = cocart::ApiErrorKind::classify(code, message);
});
