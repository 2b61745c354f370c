//! WordPress REST argument checks (`rest_validate_value_from_schema`): required parameters
//! first (400 `rest_missing_callback_param`), then JSON types (400 `rest_invalid_param` with
//! `data.params` and `data.details`).

use crate::error::ApiError;
use crate::params::Params;
use serde_json::{Map, Value, json};

/// A schema type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    /// `string`: only JSON strings (form and query values always are).
    Str,
    /// `boolean`: `true`/`false`, `"true"`/`"false"`/`"1"`/`"0"`, `1`/`0`.
    Bool,
    /// `object`: a JSON object or array, or `""`.
    Obj,
    /// `integer`: an integer or an integral numeric string.
    Int,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Self::Str => "string",
            Self::Bool => "boolean",
            Self::Obj => "object",
            Self::Int => "integer",
        }
    }

    fn accepts(self, v: &Value) -> bool {
        match self {
            Self::Str => v.is_string(),
            Self::Bool => match v {
                Value::Bool(_) => true,
                Value::String(s) => {
                    matches!(
                        s.to_ascii_lowercase().as_str(),
                        "true" | "false" | "1" | "0"
                    )
                }
                Value::Number(n) => matches!(n.as_i64(), Some(0 | 1)),
                _ => false,
            },
            Self::Obj => match v {
                Value::Object(_) | Value::Array(_) => true,
                Value::String(s) => s.is_empty(),
                _ => false,
            },
            Self::Int => match v {
                Value::Number(n) => n.is_i64() || n.is_u64(),
                Value::String(s) => s.trim().parse::<i64>().is_ok(),
                _ => false,
            },
        }
    }
}

/// One declared argument.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Arg {
    /// The name.
    pub(crate) name: &'static str,
    /// The type.
    pub(crate) ty: Ty,
    /// Whether it is required.
    pub(crate) required: bool,
}

/// An optional argument.
pub(crate) const fn opt(name: &'static str, ty: Ty) -> Arg {
    Arg {
        name,
        ty,
        required: false,
    }
}

/// A required argument.
pub(crate) const fn req(name: &'static str, ty: Ty) -> Arg {
    Arg {
        name,
        ty,
        required: true,
    }
}

/// Checks `params` against `args` like WordPress does before calling a route's callback.
pub(crate) fn check(params: &Params, args: &[Arg]) -> Result<(), ApiError> {
    let missing: Vec<&str> = args
        .iter()
        .filter(|a| a.required && params.get(a.name).is_none_or(Value::is_null))
        .map(|a| a.name)
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::new(
            400,
            "rest_missing_callback_param",
            &format!("Missing parameter(s): {}", missing.join(", ")),
        )
        .with_data("params", json!(missing)));
    }
    let mut bad_params = Map::new();
    let mut details = Map::new();
    for a in args {
        let Some(v) = params.get(a.name) else {
            continue;
        };
        if !a.ty.accepts(v) {
            let msg = format!("{} is not of type {}.", a.name, a.ty.name());
            bad_params.insert(a.name.into(), Value::String(msg.clone()));
            details.insert(
                a.name.into(),
                json!({"code": "rest_invalid_type", "message": msg, "data": {"param": a.name}}),
            );
        }
    }
    if bad_params.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = bad_params.keys().map(String::as_str).collect();
    Err(ApiError::new(
        400,
        "rest_invalid_param",
        &format!("Invalid parameter(s): {}", names.join(", ")),
    )
    .with_data("params", Value::Object(bad_params.clone()))
    .with_data("details", Value::Object(details)))
}

/// A checked boolean parameter (false when absent).
pub(crate) fn flag(params: &Params, name: &str) -> bool {
    match params.get(name) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.to_ascii_lowercase().as_str(), "true" | "1"),
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    }
}

/// A checked boolean parameter with a default when absent.
pub(crate) fn flag_or(params: &Params, name: &str, default: bool) -> bool {
    if params.get(name).is_none() {
        default
    } else {
        flag(params, name)
    }
}

/// A checked object parameter as a map (`""` and lists become maps keyed by index).
pub(crate) fn object(params: &Params, name: &str) -> Map<String, Value> {
    match params.get(name) {
        Some(Value::Object(m)) => m.clone(),
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v.clone()))
            .collect(),
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(json: Value) -> Params {
        Params {
            json: json.as_object().cloned().unwrap_or_default(),
            ..Params::default()
        }
    }

    #[test]
    fn missing_before_types() {
        let e = check(
            &params(json!({"quantity": 2})),
            &[req("id", Ty::Str), opt("quantity", Ty::Str)],
        )
        .unwrap_err();
        assert_eq!(e.code, "rest_missing_callback_param");
        assert_eq!(e.message, "Missing parameter(s): id");
        assert_eq!(e.data["params"], json!(["id"]));
    }

    #[test]
    fn numbers_are_not_strings() {
        let e = check(
            &params(json!({"id": 123, "quantity": "2"})),
            &[req("id", Ty::Str), opt("quantity", Ty::Str)],
        )
        .unwrap_err();
        assert_eq!(e.code, "rest_invalid_param");
        assert_eq!(e.data["params"]["id"], "id is not of type string.");
        assert_eq!(e.data["details"]["id"]["code"], "rest_invalid_type");
        assert!(check(&params(json!({"b": "yes"})), &[opt("b", Ty::Bool)]).is_err());
        assert!(
            check(
                &params(json!({"b": "TRUE", "o": []})),
                &[opt("b", Ty::Bool), opt("o", Ty::Obj)]
            )
            .is_ok()
        );
    }
}
