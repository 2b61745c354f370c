package dev.cocart.sdk

import com.sun.net.httpserver.HttpServer
import dev.cocart.mock.CoCartMockExtension
import dev.cocart.mock.CoCartMockExtension.Lifetime
import dev.cocart.mock.MockProfile
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assertions.fail
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.extension.RegisterExtension
import java.net.InetSocketAddress
import java.util.Base64

/**
 * What the app is told when the outcome of a write is unknown, or when a refreshed token is
 * rejected again: real library, real `cocart-mock` (and, for the rejection, a scripted store).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionSafetyTest {
    @RegisterExtension
    @JvmField
    val mockExtension = CoCartMockExtension(MockProfile(), Lifetime.PER_CLASS)
    private val mock get() = mockExtension.mock

    @BeforeEach
    fun resetMock() {
        mock.reset()
    }

    private fun config(url: String = mock.baseUrl) = ClientConfig(storeUrl = url, timeoutSeconds = 5)

    @Test
    fun `a write that failed with a 503 says it may have happened and carries the re-read cart`() = runBlocking {
        CoCartClient(config(), null).use { client ->
            client.login(USER, PASSWORD)
            val cart = client.cart
            cart.addItem(AddItemRequest(product = productSku("MOCK-MUG")))
            mock.addFault("""{"path":"/wp-json/cocart/v2/cart/add-item","kind":"status","status":503,"times":1}""")
            try {
                cart.addItem(AddItemRequest(product = productSku("MOCK-TSHIRT")))
                fail("the 503 must surface")
            } catch (e: CoCartException.WriteOutcomeUnknown) {
                val reread = e.cart
                assertNotNull(reread, "the cart was re-read")
                assertEquals(listOf("MOCK-MUG"), reread!!.items.map { it.sku }, "the store holds what it holds")
                assertTrue(e.detail.contains("503"), e.detail)
            }
            assertTrue(client.isSignedIn(), "the session is kept")
        }
    }

    @Test
    fun `when the re-read fails too the error says so with no cart`() = runBlocking {
        CoCartClient(config(), null).use { client ->
            client.login(USER, PASSWORD)
            val cart = client.cart
            mock.addFault("""{"path":"/wp-json/cocart/v2/cart/add-item","kind":"drop","times":1}""")
            mock.addFault("""{"path":"/wp-json/cocart/v2/cart","kind":"drop","times":3}""")
            try {
                cart.addItem(AddItemRequest(product = productSku("MOCK-TSHIRT")))
                fail("the dropped connection must surface")
            } catch (e: CoCartException.WriteOutcomeUnknown) {
                assertNull(e.cart, "no re-read cart")
            }
            assertTrue(client.isSignedIn())
        }
    }

    @Test
    fun `a token rejected again after a refresh is TokenRejected and keeps the session`() = runBlocking {
        val store = RejectingStore()
        try {
            CoCartClient(config(store.url), null).use { client ->
                client.login(USER, PASSWORD)
                try {
                    client.cart.get()
                    fail("the rejection must surface")
                } catch (e: CoCartException.TokenRejected) {
                    assertEquals("Authentication failed.", e.detail)
                }
                assertEquals(1, store.refreshes, "one refresh, then the rejection is reported")
                assertTrue(client.isSignedIn(), "the session is kept: the app may retry")
            }
        } finally {
            store.close()
        }
    }

    /** Issues tokens, rotates them, and rejects every one of them on the cart route (as a store
     *  does when the token is bound to another IP address). */
    private class RejectingStore : AutoCloseable {
        private val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
        @Volatile var refreshes = 0
        val url: String get() = "http://127.0.0.1:${server.address.port}"

        init {
            server.createContext("/wp-json/cocart/v2/login") { ex ->
                reply(ex, 200, """{"user_id":"7","display_name":"demo","extras":{"jwt_token":"${jwt("a")}","jwt_refresh":"r1"}}""")
            }
            server.createContext("/wp-json/cocart/jwt/refresh-token") { ex ->
                refreshes++
                reply(ex, 200, """{"token":"${jwt("b")}","refresh_token":"r2"}""")
            }
            server.createContext("/wp-json/cocart/v2/cart") { ex ->
                reply(ex, 403, """{"code":"cocart_authentication_error","message":"Authentication failed.","data":{"status":403}}""")
            }
            server.start()
        }

        private fun reply(ex: com.sun.net.httpserver.HttpExchange, status: Int, body: String) {
            ex.requestBody.readAllBytes()
            val bytes = body.toByteArray()
            ex.responseHeaders.add("Content-Type", "application/json")
            ex.sendResponseHeaders(status, bytes.size.toLong())
            ex.responseBody.use { it.write(bytes) }
        }

        private fun jwt(tag: String): String {
            val enc = Base64.getUrlEncoder().withoutPadding()
            val now = System.currentTimeMillis() / 1000
            val payload = """{"iat":$now,"exp":${now + 3600},"data":{"user":{"id":7,"pat":"$tag"}}}"""
            return enc.encodeToString("""{"alg":"HS256","typ":"JWT"}""".toByteArray()) + "." +
                enc.encodeToString(payload.toByteArray()) + ".c2ln"
        }

        override fun close() = server.stop(0)
    }

    private companion object {
        const val USER = "demo"
        const val PASSWORD = "demo-password"
    }
}
