//! Conformance checks that every [`SessionStore`] and [`SessionLock`] implementation must pass:
//! the in-memory ones in this crate's tests, the Redis ones in theirs, the FFI's adapter of the
//! app's store in its own. Enabled by the `conformance` feature (for the tests of other crates);
//! they panic on the first failure.

use std::time::Duration;

use crate::session_store::{
    Consistency, PersistedSession, SessionStore, SessionStoreError, Stored,
};
use crate::shared_session::{SessionLock, owner_name};
use crate::tokens::{AccessToken, RefreshToken};

fn session(tag: &str) -> PersistedSession {
    PersistedSession {
        revision: 0,
        access_token: Some(AccessToken::new(format!("a.{tag}.c"))),
        refresh_token: Some(RefreshToken::new(format!("r-{tag}"))),
        token_received_at: 1_700_000_000,
        user: None,
        cart_key: Some(format!("t_{tag}")),
        store: Some("https://shop.example/wp-json/".into()),
        pending_transfer: None,
        login_id: Some(format!("login-{tag}")),
    }
}

fn conflict(stored_revision: u64) -> SessionStoreError {
    SessionStoreError::Conflict { stored_revision }
}

fn refresh_of(stored: &Stored) -> Option<String> {
    stored
        .session()
        .and_then(|s| s.refresh_token.as_ref())
        .map(|t| t.expose_secret().to_string())
}

/// The checks every [`SessionStore`] must pass, starting from an empty store. With
/// `shared: true` the store must also claim [`Consistency::CompareAndSwap`].
pub async fn store_conformance(store: &dyn SessionStore, shared: bool) {
    if shared {
        assert_eq!(store.consistency(), Consistency::CompareAndSwap);
    }
    assert!(
        matches!(store.load().await.expect("load"), Stored::Empty),
        "starts empty: nothing ever stored"
    );
    assert_eq!(
        store.clear(1).await,
        Err(conflict(0)),
        "an empty store refuses a write that expected a revision"
    );
    assert_eq!(store.save(0, &session("one")).await, Ok(1), "first save");
    let back = store.load().await.expect("load");
    assert_eq!(back.revision(), 1, "the store assigns the revision");
    let back = back.session().expect("a session");
    assert_eq!(back.cart_key.as_deref(), Some("t_one"));
    assert_eq!(back.store.as_deref(), Some("https://shop.example/wp-json/"));
    assert_eq!(
        store.save(0, &session("again")).await,
        Err(conflict(1)),
        "a write from an older read is refused"
    );
    assert_eq!(
        store.save(2, &session("ahead")).await,
        Err(conflict(1)),
        "a write that expected a revision the store never had is refused"
    );
    let mut numbered = session("two");
    numbered.revision = 77;
    assert_eq!(
        store.save(1, &numbered).await,
        Ok(2),
        "the revision inside the value is ignored"
    );
    let after = store.load().await.expect("load");
    assert_eq!(after.revision(), 2);
    assert_eq!(refresh_of(&after).as_deref(), Some("r-two"));
    assert_eq!(store.save(1, &session("late")).await, Err(conflict(2)));
    assert_eq!(
        refresh_of(&store.load().await.expect("load")).as_deref(),
        Some("r-two"),
        "a refused save changes nothing"
    );
    assert_eq!(store.clear(1).await, Err(conflict(2)));
    assert_eq!(store.clear(2).await, Ok(3), "clear");
    assert!(
        matches!(
            store.load().await.expect("load"),
            Stored::Cleared { revision: 3 }
        ),
        "a sign-out reads as a tombstone, not as nothing stored"
    );
    assert_eq!(
        store.save(2, &session("stale")).await,
        Err(conflict(3)),
        "a save from before the sign-out cannot bring the session back"
    );
    assert_eq!(
        store.save(3, &session("four")).await,
        Ok(4),
        "save after clear"
    );
    assert_eq!(
        refresh_of(&store.load().await.expect("load")).as_deref(),
        Some("r-four")
    );
    assert_eq!(store.clear(4).await, Ok(5));
}

/// The checks every [`SessionLock`] must pass. `lease` must be short (e.g. 300 ms): the checks
/// wait for it to lapse.
pub async fn lock_conformance(lock: &dyn SessionLock, lease: Duration) {
    let (a, b) = (owner_name(), owner_name());
    let grant = lock.try_acquire(&a, lease).await.expect("acquire");
    assert!(
        grant.is_some_and(|g| !g.lapsed_refresh),
        "a free lock is taken, with no lapsed refresh"
    );
    assert!(
        lock.try_acquire(&b, lease)
            .await
            .expect("acquire")
            .is_none(),
        "a held lock is refused"
    );
    assert!(
        lock.renew(&a, lease).await.expect("renew"),
        "the holder renews"
    );
    assert!(
        !lock.renew(&b, lease).await.expect("renew"),
        "another cannot renew"
    );
    assert!(
        !lock.mark_refreshing(&b).await.expect("mark"),
        "another cannot mark a refresh"
    );
    assert!(
        lock.mark_refreshing(&a).await.expect("mark"),
        "the holder marks its refresh"
    );
    lock.release(&b).await.expect("release");
    assert!(
        lock.try_acquire(&b, lease)
            .await
            .expect("acquire")
            .is_none(),
        "another's release does nothing"
    );
    lock.release(&a).await.expect("release");
    let grant = lock.try_acquire(&b, lease).await.expect("acquire");
    assert!(
        grant.is_some_and(|g| !g.lapsed_refresh),
        "a released lock is free, and a released holder's refresh did not lapse"
    );
    assert!(lock.mark_refreshing(&b).await.expect("mark"));
    tokio::time::sleep(lease + lease / 2).await;
    assert!(
        !lock.renew(&b, lease).await.expect("renew"),
        "a lapsed lease cannot be renewed"
    );
    assert!(
        !lock.mark_refreshing(&b).await.expect("mark"),
        "a lapsed holder cannot mark"
    );
    let grant = lock.try_acquire(&a, lease).await.expect("acquire");
    assert!(
        grant.is_some_and(|g| g.lapsed_refresh),
        "a lease that lapsed with a refresh in flight is reported to the next holder"
    );
    lock.release(&a).await.expect("release");
    let c = owner_name();
    let grant = lock.try_acquire(&c, lease).await.expect("acquire");
    assert!(
        grant.is_some_and(|g| g.lapsed_refresh),
        "a holder that presented nothing passes the lapse on"
    );
    assert!(lock.mark_refreshing(&c).await.expect("mark"));
    lock.release(&c).await.expect("release");
    let grant = lock.try_acquire(&a, lease).await.expect("acquire");
    assert!(
        grant.is_some_and(|g| !g.lapsed_refresh),
        "a holder that marked its own refresh and released settled it"
    );
    lock.release(&b).await.expect("release");
    assert!(
        lock.try_acquire(&b, lease)
            .await
            .expect("acquire")
            .is_none(),
        "the lapsed holder's late release does not free the new holder's lock"
    );
    lock.release(&a).await.expect("release");
    let grant = lock.try_acquire(&b, lease).await.expect("acquire");
    assert!(grant.is_some());
    assert!(lock.mark_refreshing(&b).await.expect("mark"));
    tokio::time::sleep(lease + lease / 2).await;
    lock.release(&b).await.expect("release");
    let grant = lock.try_acquire(&a, lease).await.expect("acquire");
    assert!(
        grant.is_some_and(|g| !g.lapsed_refresh),
        "a holder that releases after its lease lapsed knew how its refresh ended: no mark"
    );
    assert!(lock.mark_refreshing(&a).await.expect("mark"));
    tokio::time::sleep(lease + lease / 2).await;
    let grant = lock.try_acquire(&b, lease).await.expect("acquire");
    assert!(grant.is_some_and(|g| g.lapsed_refresh));
    lock.release(&a).await.expect("release");
    assert!(
        lock.try_acquire(&a, lease)
            .await
            .expect("acquire")
            .is_none(),
        "a lapsed holder's late release leaves the new holder's lock alone"
    );
    lock.release(&b).await.expect("release");
}
