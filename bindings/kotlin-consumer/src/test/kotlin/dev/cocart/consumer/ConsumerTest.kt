package dev.cocart.consumer

import com.sun.jna.NativeLibrary
import com.sun.jna.Platform
import dev.cocart.sdk.AddItemRequest
import dev.cocart.sdk.cart
import dev.cocart.sdk.productId
import dev.cocart.mock.CoCartMockExtension
import dev.cocart.mock.MockProfile
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.extension.RegisterExtension
import java.io.File

/**
 * The SDK as a user gets it: dev.cocart:cocart-kotlin resolved by coordinates from the local
 * Maven repository, its native library loaded by JNA from inside the jar (no jna.library.path),
 * one login and one cart round trip against a real cocart-mock process, run by the JUnit 5
 * extension of dev.cocart:cocart-mock-junit (also resolved by coordinates).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsumerTest {
    @RegisterExtension
    @JvmField
    val store = CoCartMockExtension(MockProfile(), CoCartMockExtension.Lifetime.PER_CLASS)
    private val baseUrl get() = store.url

    @Test
    fun `the native library comes from the cocart-kotlin jar in the local Maven repository`() {
        assertNull(System.getProperty("jna.library.path"), "the consumer must not point JNA at the Rust build")
        val resource = "${Platform.RESOURCE_PREFIX}/${System.mapLibraryName("cocart_ffi")}"
        val url = javaClass.classLoader.getResource(resource)
        assertNotNull(url, "$resource is not on the classpath: the jar does not bundle this platform's library")
        val version = requireNotNull(System.getProperty("cocart.version")) { "the pom passes cocart.version" }
        val expectedJar = File(System.getProperty("maven.repo.local"), "dev/cocart/cocart-kotlin/$version/cocart-kotlin-$version.jar")
        assertEquals("jar", url!!.protocol, "found $url, not inside a jar")
        assertEquals(expectedJar.toURI().toString() + "!/" + resource, url.path, "found $url")

        // The SDK loads it (first call below or here); JNA extracted it from the jar to its temp
        // directory, so the loaded file is not any libcocart_ffi in the Rust build.
        runBlocking { dev.cocart.sdk.CoCartClient("http://127.0.0.1:9").close() }
        val loaded = NativeLibrary.getInstance("cocart_ffi").file
        println("libcocart_ffi loaded from $loaded (extracted from $url)")
        assertTrue(loaded.name != System.mapLibraryName("cocart_ffi"), "loaded $loaded, not a copy extracted from the jar")
    }

    @Test
    fun `the mock comes from the cocart-mock-junit jar in the local Maven repository`() {
        val version = requireNotNull(System.getProperty("cocart.version")) { "the pom passes cocart.version" }
        val expectedJar = File(System.getProperty("maven.repo.local"), "dev/cocart/cocart-mock-junit/$version/cocart-mock-junit-$version.jar")
        assertEquals(expectedJar.toURI(), CoCartMockExtension::class.java.protectionDomain.codeSource.location.toURI())
        assertTrue(store.mock.isRunning)
    }

    @Test
    fun `log in as demo, add to the cart and read it back`() = runBlocking {
        val summary = addToCartAndSummarize(baseUrl, "demo", "demo-password", "MOCK-TSHIRT", 2.0)
        println("consumer: $summary")
        assertEquals("demo", summary.username)
        assertEquals("CoCart Mock Store", summary.storeName)
        assertEquals(mapOf("MOCK-TSHIRT" to 2.0), summary.lines)
        assertEquals(2500L, summary.subtotalMinor)
        assertEquals("USD", summary.currencyCode)
        assertEquals("$25.00", summary.subtotalFormatted)
    }

    @Test
    fun `the artifact's errors read as sentences and its handles need no closing`() = runBlocking {
        dev.cocart.sdk.CoCartClient(baseUrl).use { client ->
            val e = assertThrows(dev.cocart.sdk.CoCartException.Validation::class.java) {
                runBlocking { client.cart.addItem(AddItemRequest(product = productId(105))) }
            }
            assertEquals("${e.serverMessage} (cocart_product_out_of_stock, HTTP 404)", e.message)
            assertEquals("OutOfStock", e.kind.toString())
        }
    }
}
