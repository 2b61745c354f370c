//! Conformance checks that every [`SessionStore`] and [`SessionLock`] implementation must pass:
//! the in-memory ones in this crate's tests, the Redis ones in theirs. Enabled by the
//! `conformance` feature (for the tests of other crates); they panic on the first failure.

use std::time::Duration;

use secrecy::SecretString;

use crate::session_store::{Consistency, PersistedSession, SessionStore, SessionStoreError};
use crate::shared_session::{SessionLock, owner_name};

fn session(revision: u64, tag: &str) -> PersistedSession {
    PersistedSession {
        revision,
        access_token: Some(SecretString::from(format!("a.{tag}.c"))),
        refresh_token: Some(SecretString::from(format!("r-{tag}"))),
        token_received_at: 1_700_000_000,
        user: None,
        cart_key: Some(format!("t_{tag}")),
    }
}

/// The checks every [`SessionStore`] must pass, starting from an empty store. With
/// `shared: true` the store must also claim [`Consistency::CompareAndSwap`].
pub async fn store_conformance(store: &dyn SessionStore, shared: bool) {
    if shared {
        assert_eq!(store.consistency(), Consistency::CompareAndSwap);
    }
    assert!(store.load().await.expect("load").is_none(), "starts empty");
    store.save(&session(1, "one")).await.expect("first save");
    let back = store.load().await.expect("load").expect("saved");
    assert_eq!(back.revision, 1);
    assert_eq!(back.cart_key.as_deref(), Some("t_one"));
    assert!(matches!(
        store.save(&session(1, "again")).await,
        Err(SessionStoreError::Conflict { stored_revision: 1 })
    ));
    store.save(&session(5, "five")).await.expect("newer save");
    assert!(matches!(
        store.save(&session(4, "older")).await,
        Err(SessionStoreError::Conflict { stored_revision: 5 })
    ));
    assert_eq!(
        store
            .load()
            .await
            .expect("load")
            .expect("saved")
            .cart_key
            .as_deref(),
        Some("t_five"),
        "a refused save changes nothing"
    );
    assert!(matches!(
        store.clear(5).await,
        Err(SessionStoreError::Conflict { stored_revision: 5 })
    ));
    store.clear(6).await.expect("clear");
    assert!(store.load().await.expect("load").is_none(), "cleared");
    assert!(
        matches!(
            store.save(&session(6, "stale")).await,
            Err(SessionStoreError::Conflict { .. })
        ),
        "a save older than the clear is refused"
    );
    store
        .save(&session(7, "seven"))
        .await
        .expect("save after clear");
    store.clear(8).await.expect("clear");
}

/// The checks every [`SessionLock`] must pass. `lease` must be short (e.g. 300 ms): the checks
/// wait for it to lapse.
pub async fn lock_conformance(lock: &dyn SessionLock, lease: Duration) {
    let (a, b) = (owner_name(), owner_name());
    assert!(
        lock.try_acquire(&a, lease).await.expect("acquire"),
        "a free lock is taken"
    );
    assert!(
        !lock.try_acquire(&b, lease).await.expect("acquire"),
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
    lock.release(&b).await.expect("release");
    assert!(
        !lock.try_acquire(&b, lease).await.expect("acquire"),
        "another's release does nothing"
    );
    lock.release(&a).await.expect("release");
    assert!(
        lock.try_acquire(&b, lease).await.expect("acquire"),
        "a released lock is free"
    );
    tokio::time::sleep(lease + lease / 2).await;
    assert!(
        !lock.renew(&b, lease).await.expect("renew"),
        "a lapsed lease cannot be renewed"
    );
    assert!(
        lock.try_acquire(&a, lease).await.expect("acquire"),
        "a lapsed lease frees the lock"
    );
    lock.release(&a).await.expect("release");
}
