package dev.cocart.sdk

import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Test

class AndroidTrustTest {
    @Test
    fun `the Android init links to the library and has nothing to hand over on the JVM`() {
        // The JNI symbol the Android app calls: a wrong class or method name fails here with
        // UnsatisfiedLinkError. Off Android the verifier needs no Context, so it says false.
        assertFalse(AndroidTrust.init(Any()))
        assertFalse(AndroidTrust.init(Any()), "a second call is harmless")
    }
}
