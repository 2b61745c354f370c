//! Android's certificate trust: with the `rustls-tls` feature (and not `webpki-roots`), the core
//! checks certificates with rustls-platform-verifier, which asks the Android trust manager
//! through the JVM (so user-installed CAs and the app's network-security configuration apply).
//! It needs the app's `Context` once, before the first HTTPS request: the Kotlin wrapper's
//! `AndroidTrust.init(context)` (bindings/kotlin) calls the JNI function below.
//!
//! The function is exported on every platform so that the Kotlin wrapper links the same symbol
//! everywhere (the JVM tests call it); off Android, or when the platform verifier is not the
//! build's trust, there is nothing to hand over and it returns `false`.

/// Whether the platform verifier is the trust of this build on this target.
const NEEDS_CONTEXT: bool = cfg!(all(
    target_os = "android",
    feature = "rustls-tls",
    not(feature = "webpki-roots"),
    not(feature = "native-tls")
));

/// Whether a client for an `https://` store can verify certificates: off Android always; on
/// Android once `AndroidTrust.init(context)` has run.
pub(crate) fn trust_ready() -> bool {
    !NEEDS_CONTEXT || imp::initialised()
}

#[cfg(all(
    target_os = "android",
    feature = "rustls-tls",
    not(feature = "webpki-roots"),
    not(feature = "native-tls")
))]
mod imp {
    use std::sync::atomic::{AtomicBool, Ordering};

    use jni::EnvUnowned;
    use jni::errors::ThrowRuntimeExAndDefault;
    use jni::objects::{JClass, JObject};

    static INITIALISED: AtomicBool = AtomicBool::new(false);

    pub(super) fn initialised() -> bool {
        INITIALISED.load(Ordering::Acquire)
    }

    /// `dev.cocart.sdk.AndroidTrust.nativeInit(context)`: gives the verifier the JVM, the
    /// application context and its class loader. A JNI failure (e.g. an object that is not a
    /// `Context`) is thrown to Kotlin as a `RuntimeException`.
    #[unsafe(no_mangle)]
    pub extern "system" fn Java_dev_cocart_sdk_AndroidTrust_nativeInit<'caller>(
        mut env: EnvUnowned<'caller>,
        _class: JClass<'caller>,
        context: JObject<'caller>,
    ) -> bool {
        env.with_env(|env| -> jni::errors::Result<bool> {
            rustls_platform_verifier::android::init_with_env(env, context)?;
            INITIALISED.store(true, Ordering::Release);
            Ok(true)
        })
        .resolve::<ThrowRuntimeExAndDefault>()
    }
}

#[cfg(not(all(
    target_os = "android",
    feature = "rustls-tls",
    not(feature = "webpki-roots"),
    not(feature = "native-tls")
)))]
mod imp {
    use std::ffi::c_void;

    pub(super) fn initialised() -> bool {
        true
    }

    /// `dev.cocart.sdk.AndroidTrust.nativeInit(context)` where no context is needed: returns
    /// JNI `false` and touches none of its arguments.
    #[unsafe(no_mangle)]
    pub extern "system" fn Java_dev_cocart_sdk_AndroidTrust_nativeInit(
        _env: *mut c_void,
        _class: *mut c_void,
        _context: *mut c_void,
    ) -> u8 {
        0
    }
}
