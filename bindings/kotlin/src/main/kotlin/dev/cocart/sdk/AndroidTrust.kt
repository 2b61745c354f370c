package dev.cocart.sdk

/**
 * The device's certificate trust for the native library on Android.
 *
 * The library checks a store's certificate with the Android trust manager (through
 * rustls-platform-verifier), so the user-installed CAs and the app's network-security
 * configuration apply. That verifier calls into the JVM and needs the application's `Context`
 * once, before the first HTTPS request: call [init] from `Application.onCreate`. Until then a
 * client for an `https://` store is refused with `CoCartException.InvalidConfig`.
 *
 * The AAR must also ship the verifier's own Kotlin classes (the `rustls-platform-verifier`
 * Android component; bindings/README.md, "Android").
 */
object AndroidTrust {
    /**
     * Hands [context] (an `android.content.Context`, typed `Any` so that this module compiles
     * without the Android SDK) to the native verifier. Returns `true` when the verifier took it,
     * `false` where none is needed: the desktop JVM, or a library built with the `webpki-roots`
     * or `native-tls` feature. Throws a `RuntimeException` when [context] is not a `Context`.
     * Calling it again is harmless.
     */
    @JvmStatic
    fun init(context: Any): Boolean {
        // JNI (unlike JNA, which loads the library for the generated bindings) needs the
        // library loaded through the class's own loader.
        System.loadLibrary("cocart_ffi")
        return nativeInit(context)
    }

    @JvmStatic
    private external fun nativeInit(context: Any): Boolean
}
