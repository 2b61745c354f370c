//! The JWT plugin's per-user session meta.
//!
//! v3: one session per login, keyed by its PAT, each linked to one refresh token.
//! v2: one stored access token and one refresh token per user.
//! A single index maps every live refresh token to its owner (`_cocart_jwt_refresh_token`).

use std::collections::HashMap;
use std::fmt;

/// One v3 PAT session.
#[derive(Clone)]
struct PatSession {
    refresh_token: Option<String>,
}

/// What a refresh token belongs to.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct RefreshRow {
    /// The owner.
    pub(crate) user_id: u64,
    /// The linked PAT session (v3).
    pub(crate) pat: Option<String>,
    /// Unix time after which it is expired.
    pub(crate) expires: i64,
}

/// v2's single stored token and refresh token.
#[derive(Default, Clone)]
struct LegacyMeta {
    stored_token: Option<(String, i64)>,
    refresh_token: Option<String>,
}

/// Every session of every user.
#[derive(Default)]
pub(crate) struct Sessions {
    v3: HashMap<u64, HashMap<String, PatSession>>,
    legacy: HashMap<u64, LegacyMeta>,
    refresh: HashMap<String, RefreshRow>,
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions")
            .field("v3_users", &self.v3.len())
            .field("v2_users", &self.legacy.len())
            .field("refresh_tokens", &self.refresh.len())
            .finish()
    }
}

impl Sessions {
    /// Opens a v3 session: PAT linked to a refresh token valid until `expires`.
    pub(crate) fn open_pat(&mut self, user_id: u64, pat: &str, refresh: &str, expires: i64) {
        self.v3.entry(user_id).or_default().insert(
            pat.to_string(),
            PatSession {
                refresh_token: Some(refresh.to_string()),
            },
        );
        self.refresh.insert(
            refresh.to_string(),
            RefreshRow {
                user_id,
                pat: Some(pat.to_string()),
                expires,
            },
        );
    }

    /// Steps 9–10 of v3 validation: the user has sessions and one of them is `pat`.
    pub(crate) fn pat_is_live(&self, user_id: u64, pat: &str) -> bool {
        self.v3
            .get(&user_id)
            .is_some_and(|s| !s.is_empty() && s.contains_key(pat))
    }

    /// The refresh token linked to a PAT session.
    pub(crate) fn refresh_of_pat(&self, user_id: u64, pat: &str) -> Option<&str> {
        self.v3.get(&user_id)?.get(pat)?.refresh_token.as_deref()
    }

    /// Finds the owner of a refresh token.
    pub(crate) fn find_refresh(&self, refresh: &str) -> Option<&RefreshRow> {
        self.refresh.get(refresh)
    }

    /// `destroy_pat_session`: removes the PAT and its refresh token.
    pub(crate) fn destroy_pat(&mut self, user_id: u64, pat: &str) {
        if let Some(sessions) = self.v3.get_mut(&user_id) {
            if let Some(r) = sessions.remove(pat).and_then(|s| s.refresh_token) {
                self.refresh.remove(&r);
            }
            if sessions.is_empty() {
                self.v3.remove(&user_id);
            }
        }
    }

    /// Deletes all of a user's JWT meta (logout, password or email change, deletion).
    pub(crate) fn revoke_user(&mut self, user_id: u64) {
        self.v3.remove(&user_id);
        self.legacy.remove(&user_id);
        self.refresh.retain(|_, row| row.user_id != user_id);
    }

    /// How many sessions a user has: v3 PAT sessions, or v2's one refresh token.
    pub(crate) fn live_count(&self, user_id: u64) -> usize {
        let v3 = self.v3.get(&user_id).map_or(0, HashMap::len);
        let v2 = self
            .legacy
            .get(&user_id)
            .is_some_and(|m| m.refresh_token.is_some());
        v3 + usize::from(v2)
    }

    /// Forgets every session (switching plugin generations invalidates everything).
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }

    /// v2: the stored access token, if present and not expired at `now`.
    pub(crate) fn legacy_stored_token(&self, user_id: u64, now: i64) -> Option<&str> {
        self.legacy
            .get(&user_id)?
            .stored_token
            .as_ref()
            .filter(|(_, exp)| now <= *exp)
            .map(|(t, _)| t.as_str())
    }

    /// v2: stores the user's access token.
    pub(crate) fn legacy_store_token(&mut self, user_id: u64, token: &str, exp: i64) {
        self.legacy.entry(user_id).or_default().stored_token = Some((token.to_string(), exp));
    }

    /// v2: replaces the user's single refresh token.
    pub(crate) fn legacy_rotate_refresh(&mut self, user_id: u64, refresh: &str, expires: i64) {
        let meta = self.legacy.entry(user_id).or_default();
        if let Some(old) = meta.refresh_token.replace(refresh.to_string()) {
            self.refresh.remove(&old);
        }
        self.refresh.insert(
            refresh.to_string(),
            RefreshRow {
                user_id,
                pat: None,
                expires,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destroying_a_pat_kills_only_that_session() {
        let mut s = Sessions::default();
        s.open_pat(1, "pat_a", "ra", 100);
        s.open_pat(1, "pat_b", "rb", 100);
        s.destroy_pat(1, "pat_a");
        assert!(!s.pat_is_live(1, "pat_a"));
        assert!(s.find_refresh("ra").is_none());
        assert!(s.pat_is_live(1, "pat_b"));
        assert_eq!(s.refresh_of_pat(1, "pat_b"), Some("rb"));
        s.revoke_user(1);
        assert!(!s.pat_is_live(1, "pat_b"));
        assert!(s.find_refresh("rb").is_none());
    }

    #[test]
    fn legacy_refresh_rotation_drops_the_previous_token() {
        let mut s = Sessions::default();
        s.legacy_rotate_refresh(3, "r1", 50);
        s.legacy_rotate_refresh(3, "r2", 50);
        assert!(s.find_refresh("r1").is_none());
        assert_eq!(s.find_refresh("r2").map(|r| r.user_id), Some(3));
    }
}
