package dev.cocart.consumer

import com.sun.jna.NativeLibrary
import com.sun.jna.Platform
import dev.cocart.sdk.AddItemRequest
import dev.cocart.sdk.cart
import dev.cocart.sdk.productId
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import java.io.BufferedReader
import java.io.File
import java.io.InputStreamReader
import java.util.concurrent.TimeUnit

/**
 * The SDK as a user gets it: dev.cocart:cocart-kotlin resolved by coordinates from the local
 * Maven repository, its native library loaded by JNA from inside the jar (no jna.library.path),
 * one login and one cart round trip against a real cocart-mock process.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsumerTest {
    private lateinit var mock: Process
    private lateinit var baseUrl: String

    @BeforeAll
    fun startMock() {
        val bin = System.getProperty("cocart.mock.bin") ?: error("system property cocart.mock.bin is not set")
        check(File(bin).canExecute()) { "cocart-mock not found at $bin (build it: cargo build -p cocart-mock)" }
        // --port 0: the mock picks a free port and announces it on its first line.
        mock = ProcessBuilder(bin, "--port", "0").redirectError(ProcessBuilder.Redirect.INHERIT).start()
        Runtime.getRuntime().addShutdownHook(Thread { mock.destroyForcibly() })
        val out = BufferedReader(InputStreamReader(mock.inputStream))
        val first = out.readLine()
        baseUrl = first?.let { Regex("listening on (http://127\\.0\\.0\\.1:\\d+)").find(it) }?.groupValues?.get(1)
            ?: error("cocart-mock did not announce its URL (first line: $first)")
        Thread { out.useLines { lines -> lines.forEach { } } }.apply { isDaemon = true }.start()
    }

    @AfterAll
    fun stopMock() {
        mock.destroy()
        if (!mock.waitFor(5, TimeUnit.SECONDS)) mock.destroyForcibly()
    }

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
