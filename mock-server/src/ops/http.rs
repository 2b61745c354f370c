//! The `/__mock/` routes. They are neither journaled nor authenticated.

use super::controls;
use super::faults::FaultSpec;
use crate::config::{ConfigPatch, SeedUser};
use crate::error::{ApiError, MockError};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::{patch, post};
use axum::{Json, Router};
use bytes::Bytes;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// The test-control routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/__mock/reset", post(reset))
        .route("/__mock/clock", post(clock_set).get(clock_get))
        .route("/__mock/users", post(user_create).get(user_list))
        .route("/__mock/users/{id}", patch(user_update).delete(user_delete))
        .route(
            "/__mock/journal",
            axum::routing::get(journal_get).delete(journal_clear),
        )
        .route(
            "/__mock/config",
            axum::routing::get(config_get).put(config_put),
        )
        .route(
            "/__mock/faults",
            post(fault_add).get(fault_list).delete(fault_clear),
        )
}

type Reply = Result<Json<Value>, ApiError>;

/// The latest virtual time the clock controls accept: 9999-12-31T23:59:59Z.
const MAX_UNIX: i64 = 253_402_300_799;

/// Parses a JSON body (an empty body reads as `{}`).
fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    let slice: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(slice).map_err(|e| MockError::Invalid(e.to_string()).to_api_error())
}

fn user_id(raw: &str) -> Result<u64, ApiError> {
    raw.parse()
        .map_err(|_| MockError::NotFound(format!("no user with id {raw:?}")).to_api_error())
}

async fn reset(State(state): State<AppState>) -> Reply {
    state.reset().map_err(|e| e.to_api_error())?;
    Ok(Json(json!({"reset": true, "now": state.now()})))
}

async fn clock_get(State(state): State<AppState>) -> Json<Value> {
    Json(json!({"now": state.now()}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    advance: Option<i64>,
    set: Option<i64>,
}

async fn clock_set(State(state): State<AppState>, bytes: Bytes) -> Reply {
    let change: ClockChange = body(&bytes)?;
    let in_range = |t: Option<i64>| t.is_some_and(|t| (0..=MAX_UNIX).contains(&t));
    let out_of_range = || {
        MockError::Invalid(format!(
            "the clock must stay between 0 and {MAX_UNIX} (year 9999)"
        ))
        .to_api_error()
    };
    let now = match (change.advance, change.set) {
        (Some(a), None) if in_range(state.now().checked_add(a)) => state.clock.advance(a),
        (None, Some(s)) if in_range(Some(s)) => state.clock.set(s),
        (Some(_), None) | (None, Some(_)) => return Err(out_of_range()),
        _ => {
            return Err(
                MockError::Invalid("give exactly one of \"advance\" or \"set\"".into())
                    .to_api_error(),
            );
        }
    };
    state.control_changed();
    Ok(Json(json!({"now": now})))
}

async fn user_create(State(state): State<AppState>, bytes: Bytes) -> Reply {
    let seed: SeedUser = body(&bytes)?;
    let id = controls::create_user(&state, &seed).map_err(|e| e.to_api_error())?;
    Ok(Json(json!({"id": id})))
}

async fn user_list(State(state): State<AppState>) -> Json<Value> {
    let world = state.world();
    let users: Vec<Value> = world
        .auth
        .users
        .all()
        .map(|u| {
            json!({"id": u.id, "username": u.username, "email": u.email,
                   "first_name": u.first_name, "last_name": u.last_name})
        })
        .collect();
    Json(Value::Array(users))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserChange {
    password: Option<String>,
    email: Option<String>,
}

async fn user_update(State(state): State<AppState>, Path(id): Path<String>, bytes: Bytes) -> Reply {
    let id = user_id(&id)?;
    let change: UserChange = body(&bytes)?;
    controls::update_user(
        &state,
        id,
        change.password.as_deref(),
        change.email.as_deref(),
    )
    .map_err(|e| e.to_api_error())?;
    Ok(Json(json!({"id": id})))
}

async fn user_delete(State(state): State<AppState>, Path(id): Path<String>) -> Reply {
    let id = user_id(&id)?;
    controls::delete_user(&state, id).map_err(|e| e.to_api_error())?;
    Ok(Json(json!({"id": id, "deleted": true})))
}

async fn journal_get(State(state): State<AppState>) -> Reply {
    let entries = controls::journal(&state);
    serde_json::to_value(entries)
        .map(Json)
        .map_err(|e| MockError::Invalid(e.to_string()).to_api_error())
}

async fn journal_clear(State(state): State<AppState>) -> Json<Value> {
    controls::clear_journal(&state);
    Json(json!([]))
}

async fn config_get(State(state): State<AppState>) -> Json<Value> {
    Json(state.world().config.view())
}

async fn config_put(State(state): State<AppState>, bytes: Bytes) -> Reply {
    let patch: ConfigPatch = body(&bytes)?;
    Ok(Json(controls::set_config(&state, &patch)))
}

async fn fault_add(State(state): State<AppState>, bytes: Bytes) -> Reply {
    let spec: FaultSpec = body(&bytes)?;
    controls::add_fault(&state, spec.clone()).map_err(|e| e.to_api_error())?;
    serde_json::to_value(spec)
        .map(Json)
        .map_err(|e| MockError::Invalid(e.to_string()).to_api_error())
}

async fn fault_list(State(state): State<AppState>) -> Reply {
    let list = state.world().ops.faults.list();
    serde_json::to_value(list)
        .map(Json)
        .map_err(|e| MockError::Invalid(e.to_string()).to_api_error())
}

async fn fault_clear(State(state): State<AppState>) -> Json<Value> {
    state.world().ops.faults.clear();
    state.control_changed();
    Json(json!([]))
}
