//! The console's routes: the page and its two assets under `/__mock/ui` (with the `console`
//! feature), and the JSON and event stream it reads under `/__mock/console/`. Like the other
//! `/__mock/` routes they are neither journaled nor authenticated.

use super::views;
use crate::error::{ApiError, MockError};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};
use std::convert::Infallible;
use std::time::Duration;

/// How often the event stream looks for changes.
const POLL: Duration = Duration::from_millis(100);

/// The console's routes.
pub(crate) fn routes() -> Router<AppState> {
    let router = Router::new()
        .route("/__mock/console/state", get(state))
        .route("/__mock/console/lineage", get(lineage))
        .route("/__mock/console/journal", get(journal))
        .route("/__mock/console/events", get(events));
    #[cfg(feature = "console")]
    let router = super::assets::routes(router);
    router
}

async fn state(State(state): State<AppState>) -> Json<Value> {
    Json(views::state(&state))
}

async fn lineage(State(state): State<AppState>) -> Json<Value> {
    Json(views::lineage(&state))
}

/// `?before=SEQ&limit=N` (both optional).
#[derive(Deserialize)]
struct PageQuery {
    before: Option<u64>,
    limit: Option<usize>,
}

async fn journal(
    State(state): State<AppState>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = query.map_err(|e| MockError::Invalid(e.body_text()).to_api_error())?;
    let limit = q.limit.unwrap_or(100).clamp(1, views::MAX_PAGE);
    let page = state.journal.page(q.before, limit);
    Ok(Json(views::journal_page(page)))
}

/// What the stream compares between polls: counters that move on every change, and the clock's
/// offset (the virtual clock otherwise moves with the wall clock).
fn signature(state: &AppState) -> (u64, u64, u64, i64) {
    (
        state.journal.version(),
        state.lineage.version(),
        state
            .controls_version
            .load(std::sync::atomic::Ordering::Relaxed),
        state.clock.offset(),
    )
}

fn change_event(state: &AppState, sig: (u64, u64, u64, i64)) -> Event {
    let data = json!({"journal": sig.0, "lineage": sig.1, "world": sig.2, "now": state.now()});
    Event::default().event("change").data(data.to_string())
}

/// `GET /__mock/console/events`: a `change` event at once and after every change.
async fn events(
    State(state): State<AppState>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let stream = futures_util::stream::unfold((state, None), |(state, last)| async move {
        loop {
            let sig = signature(&state);
            if last != Some(sig) {
                let event = change_event(&state, sig);
                return Some((Ok(event), (state, Some(sig))));
            }
            tokio::time::sleep(POLL).await;
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
