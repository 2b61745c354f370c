package dev.cocart.mock

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtensionConfigurationException
import org.junit.jupiter.api.extension.RegisterExtension
import org.junit.platform.engine.discovery.DiscoverySelectors
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder
import org.junit.platform.launcher.core.LauncherFactory
import org.junit.platform.launcher.listeners.SummaryGeneratingListener

/**
 * One mock per class cannot be kept on an instance field of a class that gets a new instance per
 * test: the extension refuses it by name instead of silently starting a mock per test.
 */
class MisuseTest {
    @Test
    fun `PER_CLASS on an instance field of a per-method test class is refused`() {
        val listener = SummaryGeneratingListener()
        val request = LauncherDiscoveryRequestBuilder.request()
            .selectors(DiscoverySelectors.selectClass(PerClassOnAPerMethodClass::class.java))
            .build()
        LauncherFactory.create().execute(request, listener)
        val failures = listener.summary.failures
        assertEquals(2, failures.size, "both tests fail")
        failures.forEach { f ->
            assertTrue(f.exception is ExtensionConfigurationException, "${f.exception}")
            assertTrue("static field" in f.exception.message!!, f.exception.message)
        }
    }

    /** Not run by Surefire (a nested class); run by the test above. */
    class PerClassOnAPerMethodClass {
        @RegisterExtension
        @JvmField
        val store = CoCartMockExtension(MockProfile(), CoCartMockExtension.Lifetime.PER_CLASS)

        @Test
        fun one() = Unit

        @Test
        fun two() = Unit
    }
}
