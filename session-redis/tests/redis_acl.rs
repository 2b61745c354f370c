//! The documented ACL rule against a real `redis-server`: a user with exactly `acl_rule(ns)` passes
//! the store and lock conformance checks with nothing denied (`ACL LOG` stays empty), also after
//! `SCRIPT FLUSH`; a user missing any one part of the rule is told at `connect()` which command
//! it may not run; `connect_lazily()` checks nothing at start; and no setup error nor the
//! builder's `Debug` shows the password.

use std::net::TcpListener;
use std::time::Duration;

use cocart::conformance::{lock_conformance, store_conformance};
use cocart::{PersistedSession, SessionLock, SessionStore, SessionStoreError};
use cocart_redis::testing::{RedisServer, unique_namespace};
use cocart_redis::{ACL_RULE, RedisSessions, SetupError, acl_rule};

const PASSWORD: &str = "Acl-Pa55word-42";

fn session(tag: &str) -> PersistedSession {
    let mut s = PersistedSession::default();
    s.access_token = Some(format!("eyJ.access-{tag}.sig").into());
    s.refresh_token = Some(format!("refresh-{tag}").into());
    s
}

async fn admin(server: &RedisServer) -> redis::aio::MultiplexedConnection {
    redis::Client::open(server.url())
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("admin connection")
}

/// `ACL SETUSER user reset on >PASSWORD` and the rule's words.
async fn set_user(admin: &mut redis::aio::MultiplexedConnection, user: &str, rule: &[&str]) {
    let mut cmd = redis::cmd("ACL");
    cmd.arg("SETUSER")
        .arg(user)
        .arg("reset")
        .arg("on")
        .arg(format!(">{PASSWORD}"));
    for word in rule {
        cmd.arg(*word);
    }
    let _: () = cmd
        .query_async(admin)
        .await
        .unwrap_or_else(|e| panic!("ACL SETUSER {user} {rule:?}: {e}"));
}

fn url_of(server: &RedisServer, user: &str) -> String {
    format!("redis://{user}:{PASSWORD}@127.0.0.1:{}/", server.port())
}

#[test]
fn the_rule_names_its_namespace_and_escapes_glob_characters() {
    assert!(ACL_RULE.starts_with("~NAMESPACE:* "), "{ACL_RULE}");
    assert_eq!(
        acl_rule("shop"),
        "~shop:* resetchannels -@all +hmget +evalsha +script|load +hget +hset +hdel +hexists +pexpire \
         +set +get +del"
    );
    assert!(acl_rule("a*b?[c]").starts_with(r"~a\*b\?\[c\]:* "));
}

#[tokio::test]
async fn a_user_with_exactly_the_documented_rule_passes_the_conformance_checks_and_nothing_is_denied()
 {
    let server = RedisServer::start().expect("redis-server");
    let mut admin = admin(&server).await;
    let ns = unique_namespace("acl");
    let rule = acl_rule(&ns);
    set_user(
        &mut admin,
        "shop",
        &rule.split_whitespace().collect::<Vec<_>>(),
    )
    .await;
    let _: () = redis::cmd("ACL")
        .arg("LOG")
        .arg("RESET")
        .query_async(&mut admin)
        .await
        .expect("acl log reset");

    let sessions = RedisSessions::builder(url_of(&server, "shop"))
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(ns.clone())
        .connect()
        .await
        .expect("a user with the rule connects");
    store_conformance(&sessions.store("jane"), true).await;
    lock_conformance(&sessions.lock("jane"), Duration::from_millis(300)).await;
    let sealed = RedisSessions::builder(url_of(&server, "shop"))
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(ns.clone())
        .encryption_key(cocart_redis::EncryptionKey::generate())
        .connect()
        .await
        .expect("connect");
    store_conformance(&sealed.store("jane-sealed"), true).await;

    // Scripts flushed after connect (as a restart does): the NOSCRIPT fallback loads them
    // again, within the rule.
    let _: () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut admin)
        .await
        .expect("script flush");
    let store = sessions.store("after-flush");
    assert_eq!(store.save(0, &session("flushed")).await, Ok(1));
    assert_eq!(store.load().await.expect("load").revision(), 1);
    let _: () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut admin)
        .await
        .expect("script flush");
    let lock = sessions.lock("after-flush");
    assert!(
        lock.try_acquire("me", Duration::from_secs(5))
            .await
            .expect("lock after a flush")
            .is_some()
    );
    lock.release("me").await.expect("release");

    // Redis refused nothing the crate sent, at connect nor after.
    let log: Vec<redis::Value> = redis::cmd("ACL")
        .arg("LOG")
        .query_async(&mut admin)
        .await
        .expect("acl log");
    assert!(log.is_empty(), "denied: {log:?}");

    // The probe keys of connect() are gone; only the tests' customers' keys stay.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{ns}:*"))
        .query_async(&mut admin)
        .await
        .expect("keys");
    assert!(
        keys.iter().all(|k| !k.contains("connect-probe")),
        "{keys:?}"
    );
}

#[tokio::test]
async fn a_user_missing_any_part_of_the_rule_is_told_at_connect_which_command() {
    let server = RedisServer::start().expect("redis-server");
    let mut admin = admin(&server).await;
    let ns = unique_namespace("acl-missing");
    let rule = acl_rule(&ns);
    let words: Vec<&str> = rule.split_whitespace().collect();
    let needed: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| w.starts_with('+') || w.starts_with('~'))
        .collect();
    assert_eq!(needed.len(), 12, "{needed:?}");
    for (i, missing) in needed.iter().enumerate() {
        let user = format!("without-{i}");
        let rest: Vec<&str> = words.iter().copied().filter(|w| w != missing).collect();
        set_user(&mut admin, &user, &rest).await;
        let result = RedisSessions::builder(url_of(&server, &user))
            .key_name_secret(cocart_redis::testing::key_name_secret())
            .namespace(ns.clone())
            .connect()
            .await;
        let err = result.expect_err(&format!("a user without {missing} connected"));
        let text = format!("{err} | {err:?}");
        assert!(!text.contains(PASSWORD), "{text}");
        let SetupError::NotPermitted { command } = &err else {
            panic!("without {missing}: {text}");
        };
        let expected = match missing.strip_prefix('+') {
            Some(name) => name.to_uppercase().replace('|', " "),
            None => "on the namespace's keys".to_string(),
        };
        assert!(
            command.contains(&expected),
            "without {missing}, told {command:?}"
        );
        assert!(text.contains("ACL_RULE"), "{text}");
    }
}

#[tokio::test]
async fn connect_lazily_checks_nothing_at_start_and_a_missing_permission_shows_at_each_call() {
    let server = RedisServer::start().expect("redis-server");
    let mut admin = admin(&server).await;
    let ns = unique_namespace("acl-lazy");
    let rule = acl_rule(&ns);
    let without_evalsha: Vec<&str> = rule
        .split_whitespace()
        .filter(|w| *w != "+evalsha")
        .collect();
    set_user(&mut admin, "lazy", &without_evalsha).await;
    let sessions = RedisSessions::builder(url_of(&server, "lazy"))
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .namespace(ns)
        .connect_lazily()
        .expect("nothing is checked at start");
    let store = sessions.store("jane");
    match store.save(0, &session("lazy")).await {
        Err(SessionStoreError::Unavailable(why)) => {
            assert!(why.contains("NOPERM"), "{why}");
            assert!(!why.contains(PASSWORD), "{why}");
        }
        other => panic!("{other:?}"),
    }
    // Reading needs HMGET only: it works.
    assert!(store.load().await.is_ok());
}

#[tokio::test]
async fn setup_errors_and_the_builder_never_show_the_password() {
    // Unreachable at start-up, with a password in the URL.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let url = format!("redis://shop:{PASSWORD}@127.0.0.1:{port}/");
    let builder = RedisSessions::builder(url.as_str())
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .command_timeout(Duration::from_millis(300));
    let debug = format!("{builder:?}");
    assert!(!debug.contains(PASSWORD), "{debug}");
    let err = builder.connect().await.expect_err("nothing listens");
    let text = format!("{err} | {err:?}");
    assert!(matches!(err, SetupError::Unreachable(_)), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");

    // A password alone (the default user), refused by a server without one.
    let server = RedisServer::start().expect("redis-server");
    let url = format!("redis://:{PASSWORD}@127.0.0.1:{}/", server.port());
    let err = RedisSessions::builder(url)
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .connect()
        .await
        .expect_err("no password is set");
    let text = format!("{err} | {err:?}");
    assert!(!text.contains(PASSWORD), "{text}");

    // A URL that does not parse.
    let err = RedisSessions::builder(format!("redis://shop:{PASSWORD}@127.0.0.1:notaport/"))
        .key_name_secret(cocart_redis::testing::key_name_secret())
        .connect()
        .await
        .expect_err("bad port");
    let text = format!("{err} | {err:?}");
    assert!(matches!(err, SetupError::BadUrl(_)), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");
}
