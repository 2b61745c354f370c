//! [`CoCartClient`]: the exported client.

use std::sync::Arc;

use secrecy::SecretString;

use crate::cart::CartApi;
use crate::catalog::CatalogApi;
use crate::config::ClientConfig;
use crate::error::CoCartError;
use crate::events::{AuthEventListener, AuthSubscription};
use crate::records::{LoginResult, LogoutResult, TransferPolicy, TransferReport, User};
use crate::runtime::{call, runtime};
use crate::session_store::SessionStore;

/// A client for one CoCart store. Share one instance across the app.
///
/// Login keeps a JWT and a rotating refresh token; the client refreshes before expiry, recovers
/// once from a rejected token, and never lets two refreshes race. The session is saved in the
/// app's [`SessionStore`] (memory only when none is given).
#[derive(Debug, uniffi::Object)]
pub struct CoCartClient {
    core: cocart::CoCartClient,
}

#[uniffi::export]
impl CoCartClient {
    /// Creates a client. Nothing is sent yet; call `restore_session()` at launch to pick up a
    /// saved session.
    #[uniffi::constructor]
    pub fn new(
        config: ClientConfig,
        session_store: Option<Arc<dyn SessionStore>>,
    ) -> Result<Arc<Self>, CoCartError> {
        // The HTTP client is created inside the runtime's context.
        let _context = runtime()?.enter();
        let core = config.build(session_store)?;
        Ok(Arc::new(Self { core }))
    }

    /// Loads the saved session from the token store; returns the user when one was signed in.
    /// A store that is unavailable (locked Keychain) gives `Storage { unavailable: true }` and
    /// changes nothing.
    pub async fn restore_session(&self) -> Result<Option<User>, CoCartError> {
        call(&self.core, |core| async move {
            Ok(core.restore_session().await?.map(User::from))
        })
        .await
    }

    /// Logs in with a username (or email) and password, keeps the tokens, saves the session and
    /// moves the guest cart to the customer.
    pub async fn login(&self, username: String, password: String) -> Result<User, CoCartError> {
        let password = SecretString::from(password);
        call(&self.core, |core| async move {
            Ok(User::from(core.login_secret(&username, &password).await?))
        })
        .await
    }

    /// Logs in like `login()`, and also says what happened to the guest cart and to the
    /// customer's saved cart, line by line. A failed transfer never fails the login: it is in
    /// `transfer_error`, and the next cart call retries it.
    pub async fn login_with_report(
        &self,
        username: String,
        password: String,
    ) -> Result<LoginResult, CoCartError> {
        let password = SecretString::from(password);
        call(&self.core, |core| async move {
            Ok(LoginResult::from(
                core.login_secret_with_report(&username, &password).await?,
            ))
        })
        .await
    }

    /// Transfers a guest cart that still awaits its transfer (a login whose transfer failed),
    /// with `policy` or the client's. `None`: nothing awaited transfer, and nothing was sent.
    pub async fn transfer_guest_cart(
        &self,
        policy: Option<TransferPolicy>,
    ) -> Result<Option<TransferReport>, CoCartError> {
        call(&self.core, |core| async move {
            let report = match policy {
                Some(p) => core.transfer_guest_cart_with(p.into()).await?,
                None => core.transfer_guest_cart().await?,
            };
            Ok(report.map(TransferReport::from))
        })
        .await
    }

    /// The report of the last transfer this client completed (at login or on a later cart
    /// call).
    pub fn last_transfer(&self) -> Option<TransferReport> {
        self.core.last_transfer().map(TransferReport::from)
    }

    /// Logs out on the store (which ends every session of the user) and clears the local
    /// session whatever the store answered.
    pub async fn logout(&self) -> Result<LogoutResult, CoCartError> {
        call(&self.core, |core| async move {
            Ok(LogoutResult::from(core.logout().await?))
        })
        .await
    }

    /// Refreshes the token now if it is close to expiring (call it when the app comes to the
    /// foreground). Returns whether the token changed.
    pub async fn refresh_if_needed(&self) -> Result<bool, CoCartError> {
        call(&self.core, |core| async move {
            Ok(core.refresh_if_needed().await?)
        })
        .await
    }

    /// Asks the store whether the current token is valid, without refreshing it. Rate-limited
    /// stores allow 2 calls a minute.
    pub async fn validate_token(&self) -> Result<bool, CoCartError> {
        call(&self.core, |core| async move {
            Ok(core.validate_token().await? == cocart::TokenStatus::Valid)
        })
        .await
    }

    /// The signed-in user, if any.
    pub fn current_user(&self) -> Option<User> {
        self.core.current_user().map(User::from)
    }

    /// Whether a session is held.
    pub fn is_signed_in(&self) -> bool {
        self.core.is_signed_in()
    }

    /// The guest cart key, while a guest.
    pub fn cart_key(&self) -> Option<String> {
        self.core.cart_key()
    }

    /// The cart of the current user or guest.
    pub fn cart(&self) -> Arc<CartApi> {
        Arc::new(CartApi::new(self.core.cart()))
    }

    /// The shop's catalog and the store's information.
    pub fn catalog(&self) -> Arc<CatalogApi> {
        Arc::new(CatalogApi::new(self.core.catalog()))
    }

    /// Delivers auth events to `listener`, starting with `InitialSession`. Keep the returned
    /// subscription: cancelling, closing or dropping it stops the events.
    pub fn subscribe(
        &self,
        listener: Arc<dyn AuthEventListener>,
    ) -> Result<Arc<AuthSubscription>, CoCartError> {
        AuthSubscription::start(self.core.subscribe(), listener).map(Arc::new)
    }
}
