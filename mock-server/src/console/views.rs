//! The console's JSON: the state at a glance, the lineage grouped by user, and journal pages.
//! Plain functions of the shared state; no secret is ever part of an answer (tokens appear as
//! fingerprints, journal queries with credential values redacted).

use crate::ops::journal::{Page, redacted_query};
use crate::shop::money::major_str;
use crate::shop::render::{Ctx, subtotal};
use crate::shop::stored::FrozenCart;
use crate::state::Shared;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The most events shown per user (the newest); the answer says how many there were.
pub(crate) const EVENTS_PER_USER: usize = 500;

/// The most guest carts listed (by key).
const GUEST_CARTS_LISTED: usize = 200;

/// The most journal entries one page may ask for.
pub(crate) const MAX_PAGE: usize = 1_000;

fn cart_json(ctx: &Ctx<'_>, key: &str, cart: &FrozenCart) -> Value {
    let items: Vec<Value> = cart
        .lines
        .iter()
        .map(|l| {
            let product = ctx.cat.get(l.item_id());
            let line_total =
                product.map_or(0, |p| crate::shop::money::line_total(p.price(), l.quantity));
            json!({
                "name": product.map_or("(unknown product)", |p| p.name.as_str()),
                "sku": product.map_or("", |p| p.sku.as_str()),
                "quantity": l.quantity,
                "line_total": major_str(line_total),
            })
        })
        .collect();
    let count: f64 = cart.lines.iter().map(|l| l.quantity).sum();
    json!({
        "key": key,
        "items": items,
        "item_count": count,
        "total": major_str(subtotal(ctx, cart)),
        "currency": "USD",
    })
}

/// `GET /__mock/console/state`.
pub(crate) fn state(shared: &Shared) -> Value {
    let now = shared.now();
    let (journal_total, last_seq) = shared.journal.summary();
    let lineage_total = shared.lineage.len();
    let world = shared.world();
    let ctx = Ctx {
        cat: &world.shop.catalogue,
        site_url: &shared.site_url,
    };
    let carts: BTreeMap<&str, &std::sync::Arc<FrozenCart>> = world.shop.carts.live(now).collect();
    let users: Vec<Value> = world
        .auth
        .users
        .all()
        .map(|u| {
            let key = u.id.to_string();
            let cart = carts.get(key.as_str()).map(|c| cart_json(&ctx, &key, c));
            json!({
                "id": u.id,
                "username": u.username,
                "email": u.email,
                "display_name": u.display_name(),
                "live_sessions": world.auth.sessions.live_count(u.id),
                "cart": cart,
            })
        })
        .collect();
    let is_user_key = |k: &str| k.parse::<u64>().is_ok_and(|id| world.auth.users.exists(id));
    let mut guest_carts: Vec<Value> = carts
        .iter()
        .filter(|(k, _)| !is_user_key(k))
        .take(GUEST_CARTS_LISTED)
        .map(|(k, c)| json!({"key": k, "cart": cart_json(&ctx, k, c), "transferred_to": null}))
        .collect();
    let moves: Vec<Value> = world
        .shop
        .carts
        .moves()
        .rev()
        .take(GUEST_CARTS_LISTED)
        .map(|m| {
            json!({
                "key": m.guest_key,
                "cart": cart_json(&ctx, &m.guest_key, &m.cart),
                "transferred_to": m.user_id,
            })
        })
        .collect();
    guest_carts.extend(moves);
    let profile = json!({
        "plugin": world.config.plugin,
        "host_profile": world.config.host_profile,
        "environment": world.config.environment,
        "access_ttl": world.config.access_ttl,
        "refresh_ttl": world.config.refresh_ttl,
        "site_url": shared.site_url,
        "secret_configured": world.config.secret.as_deref().is_some_and(|s| !s.is_empty()),
        "rate_limit": world.config.rate_limit,
    });
    let faults = serde_json::to_value(world.ops.faults.list()).unwrap_or(Value::Null);
    drop(world);
    json!({
        "now": now,
        "profile": profile,
        "users": users,
        "guest_carts": guest_carts,
        "faults": faults,
        "journal": {"total": journal_total, "last_seq": last_seq},
        "lineage": {"total": lineage_total},
    })
}

/// `GET /__mock/console/lineage`: events grouped by user (the newest [`EVENTS_PER_USER`] of
/// each), and the events no user could be named for.
pub(crate) fn lineage(shared: &Shared) -> Value {
    let grouped = shared.lineage.grouped(EVENTS_PER_USER);
    let names: BTreeMap<u64, String> = shared
        .world()
        .auth
        .users
        .all()
        .map(|u| (u.id, u.username.clone()))
        .collect();
    let users: Vec<Value> = grouped
        .users
        .into_iter()
        .map(|(id, (total, events))| {
            json!({
                "user_id": id,
                "username": names.get(&id),
                "total": total,
                "events": events,
            })
        })
        .collect();
    json!({"users": users, "unattributed": grouped.unattributed})
}

/// `GET /__mock/console/journal`: a page, newest first, queries redacted.
pub(crate) fn journal_page(page: Page) -> Value {
    let entries: Vec<Value> = page
        .entries
        .into_iter()
        .map(|(seq, e)| {
            json!({
                "seq": seq,
                "method": e.method,
                "path": e.path,
                "query": redacted_query(&e.query),
                "status": e.status,
                "auth": e.auth,
                "at_ms": e.at_ms,
                "client": e.client,
                "user_id": e.user_id,
                "refresh_presented": e.refresh_presented,
                "refresh_issued": e.refresh_issued,
            })
        })
        .collect();
    json!({"total": page.total, "entries": entries, "next_before": page.next_before})
}
