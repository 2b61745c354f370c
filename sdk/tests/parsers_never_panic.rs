//! No server text panics the SDK: arbitrary bytes, arbitrary UTF-8 and arbitrary JSON through
//! every parser of server text (error envelopes and their classification, JWT claims, every
//! lenient model, and a whole client call with PHP notices before the JSON). Each bad input is
//! a typed error, with the raw body kept where an answer did not parse.

mod common;

use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cocart::auth::claims::{MAX_TOKEN_LIFETIME_SECS, decode_unverified};
use cocart::models::*;
use cocart::{ApiError, ApiErrorKind, CoCartClient, Error};
use proptest::prelude::*;
use serde_json::Value;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop_oneof![Just(1e30), Just(-1e30), Just(f64::MAX), Just(0.5)].prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        "[0-9]{0,25}(\\.[0-9]{0,4})?".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    any::<String>(),
                    Just("code".to_string()),
                    Just("message".to_string()),
                    Just("data".to_string()),
                    Just("items".to_string()),
                    Just("totals".to_string()),
                    Just("cart_key".to_string()),
                    Just("currency".to_string()),
                    Just("quantity".to_string()),
                    Just("prices".to_string()),
                    Just("exp".to_string()),
                    Just("iat".to_string()),
                    Just("success".to_string()),
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Decodes `bytes` and `value` into every public model; the only allowed outcome of bad input is
/// a serde error.
fn decode_everything(bytes: &[u8], value: &Value) {
    macro_rules! each {
        ($($t:ty),* $(,)?) => {$(
            let _ = serde_json::from_slice::<$t>(bytes);
            let _ = serde_json::from_value::<$t>(value.clone());
        )*};
    }
    each!(
        Cart,
        CartTotals,
        CartTotalsRaw,
        CartItem,
        CartItems,
        RemovedItem,
        Customer,
        Currency,
        Notices,
        Product,
        ProductPage,
        Variation,
        Category,
        Tag,
        StoreInfo,
        Shipping,
        Taxes,
        LoginResponse,
        RefreshResponse,
    );
}

fn token_with_payload(payload: &[u8]) -> String {
    format!(
        "eyJhbGciOiJIUzI1NiJ9.{}.c2ln",
        URL_SAFE_NO_PAD.encode(payload)
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes_and_json_decode_to_models_or_typed_errors(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
        value in json_value(),
    ) {
        decode_everything(&bytes, &value);
        let text = value.to_string();
        decode_everything(text.as_bytes(), &value);
    }

    #[test]
    fn error_envelopes_of_any_shape_parse_or_are_none(value in json_value(), status in 100u16..600) {
        if let Some(api) = ApiError::from_body(status, &value) {
            prop_assert_eq!(api.status, status);
            prop_assert_eq!(&api.kind, &ApiErrorKind::classify(&api.code, &api.message));
        }
    }

    #[test]
    fn classify_never_panics_on_any_code_and_message(
        code in prop_oneof![
            Just("cocart_quantity_invalid_amount".to_string()),
            Just("cocart_quantity_not_numeric".to_string()),
            any::<String>(),
        ],
        prefix in any::<String>(),
        number in "[0-9.]{0,8}",
        suffix in any::<String>(),
    ) {
        for message in [
            format!("{prefix}{number} or lower{suffix}"),
            format!("{prefix}minimum of {number}{suffix}"),
            format!("{prefix}{suffix}"),
        ] {
            let _ = ApiErrorKind::classify(&code, &message);
        }
    }

    #[test]
    fn jwt_claims_of_any_text_decode_or_are_typed_errors(
        text in any::<String>(),
        payload in proptest::collection::vec(any::<u8>(), 0..200),
        claims in json_value(),
        exp in prop_oneof![any::<i64>().prop_map(Value::from), any::<f64>().prop_map(Value::from), any::<String>().prop_map(Value::from)],
        iat in prop_oneof![Just(Value::Null), any::<i64>().prop_map(Value::from), any::<f64>().prop_map(Value::from)],
    ) {
        let _ = decode_unverified(&text);
        let _ = decode_unverified(&token_with_payload(&payload));
        let _ = decode_unverified(&token_with_payload(claims.to_string().as_bytes()));
        let mut with_times = serde_json::Map::new();
        with_times.insert("exp".into(), exp);
        with_times.insert("iat".into(), iat);
        if let Ok(c) = decode_unverified(&token_with_payload(Value::Object(with_times).to_string().as_bytes())) {
            prop_assert!((0..=MAX_TOKEN_LIFETIME_SECS).contains(&c.lifetime_secs()));
        }
    }
}

/// A store that answers `GET /cart` with whatever the current case says.
type Script = Arc<Mutex<(u16, Vec<u8>)>>;

async fn scripted(State(script): State<Script>) -> Response {
    let (status, body) = script
        .lock()
        .map(|s| s.clone())
        .unwrap_or((500, Vec::new()));
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, body).into_response()
}

fn harness() -> &'static (tokio::runtime::Runtime, CoCartClient, Script) {
    static H: OnceLock<(tokio::runtime::Runtime, CoCartClient, Script)> = OnceLock::new();
    H.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let script: Script = Arc::new(Mutex::new((200, Vec::new())));
        let url = rt.block_on(async {
            let app = axum::Router::new()
                .route("/wp-json/cocart/v2/cart", axum::routing::get(scripted))
                .with_state(script.clone());
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let url = format!("http://{}", listener.local_addr().expect("addr"));
            tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            });
            url
        });
        let client = rt.block_on(async {
            CoCartClient::builder(url)
                .read_retries(0)
                .build()
                .expect("client")
        });
        (rt, client, script)
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_cart_answer_is_a_cart_or_a_typed_error_with_the_raw_body(
        status in prop_oneof![Just(200u16), Just(201), Just(400), Just(403), Just(404), Just(500), Just(503)],
        notice in prop_oneof![Just(String::new()), Just("<br />\n<b>Notice</b>: Undefined index x<br />\n".to_string()), any::<String>()],
        body in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..300),
            json_value().prop_map(|v| v.to_string().into_bytes()),
        ],
    ) {
        let (rt, client, script) = harness();
        let mut full = notice.into_bytes();
        full.extend_from_slice(&body);
        *script.lock().unwrap() = (status, full.clone());
        let outcome = rt.block_on(async {
            let c = client.clone();
            tokio::spawn(async move { c.cart().get(&CartQuery::default()).await }).await
        });
        let outcome = outcome.map_err(|e| TestCaseError::fail(format!("the call panicked: {e}")))?;
        if let Err(Error::InvalidResponse { raw, .. }) = &outcome {
            prop_assert_eq!(raw, &String::from_utf8_lossy(&full).into_owned());
        }
        if (200..300).contains(&status) {
            prop_assert!(
                matches!(outcome, Ok(_) | Err(Error::InvalidResponse { .. })),
                "a 2xx answer is a cart or InvalidResponse: {:?}", outcome.err()
            );
        } else {
            prop_assert!(outcome.is_err());
        }
    }
}
