package example

import dev.cocart.mock.CoCartMock
import dev.cocart.mock.CoCartMockExtension
import dev.cocart.mock.JournalEntry
import dev.cocart.mock.MockProfile
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.RegisterExtension
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.nio.file.Path
import java.security.MessageDigest
import java.util.Base64

/**
 * A storefront's test suite on dev.cocart:cocart-mock-junit, as installed from the built jar: the
 * README's example (packaging/jvm/README.md; run.sh checks the text is the same), and a journey
 * with the JDK's HttpClient: guest cart → login with transfer → clock move → refresh → logout,
 * checked against the mock's journal.
 */
class StorefrontTest {
    // --- README example (begin) ---
    @JvmField @RegisterExtension val cocart = CoCartMockExtension(MockProfile(accessTtlSeconds = 60))

    @Test fun `an expired token is refused`(mock: CoCartMock) {
        val client = YourClient(mock.url).apply { login("demo", "demo-password") }
        mock.advanceClock(61)
        assertEquals(403, client.cartStatus())
        assertEquals(listOf(200, 403), mock.journal().map { it.status })
    }
    // --- README example (end) ---

    @Test
    fun `guest cart, login with transfer, clock move, refresh, logout`(mock: CoCartMock) {
        val http = Http(mock.url)

        // A guest fills a cart; the store names it in a header.
        val added = http.send("POST", "/cart/add-item", """{"id":"101","quantity":"2"}""")
        assertEquals(200, added.statusCode(), added.body())
        val guestKey = added.headers().firstValue("CoCart-API-Cart-Key").orElseThrow()

        // Login, then the first authenticated request naming the guest cart transfers it.
        val login = http.send("POST", "/login", auth = "Basic " + Base64.getEncoder().encodeToString("demo:demo-password".toByteArray()))
        assertEquals(200, login.statusCode(), login.body())
        var token = Regex("\"jwt_token\":\"([^\"]+)\"").find(login.body())!!.groupValues[1]
        var refresh = Regex("\"jwt_refresh\":\"([^\"]+)\"").find(login.body())!!.groupValues[1]
        val cart = http.send("GET", "/cart?cart_key=$guestKey", auth = "Bearer $token")
        assertEquals(200, cart.statusCode())
        assertTrue("\"cart_key\":\"1\"" in cart.body(), "the cart is the customer's now")
        assertTrue("\"quantity\":{\"value\":2" in cart.body(), "with the guest's two items: ${cart.body().take(400)}")

        // The access token expires on the mock's clock; the refresh token gets a new pair.
        mock.advanceClock(61)
        assertEquals(403, http.send("GET", "/cart", auth = "Bearer $token").statusCode())
        val refreshed = http.send("POST", "/jwt/refresh-token", """{"refresh_token":"$refresh"}""")
        assertEquals(200, refreshed.statusCode(), refreshed.body())
        token = Regex("\"token\":\"([^\"]+)\"").find(refreshed.body())!!.groupValues[1]
        refresh = Regex("\"refresh_token\":\"([^\"]+)\"").find(refreshed.body())!!.groupValues[1]
        assertEquals(200, http.send("GET", "/cart", auth = "Bearer $token").statusCode())

        // Logout ends the session: its tokens are refused afterwards.
        assertEquals(200, http.send("POST", "/logout", auth = "Bearer $token").statusCode())
        assertEquals(403, http.send("GET", "/cart", auth = "Bearer $token").statusCode())
        assertEquals(403, http.send("POST", "/jwt/refresh-token", """{"refresh_token":"$refresh"}""").statusCode())

        val v2 = "/wp-json/cocart/v2"
        assertEquals(
            listOf(
                JournalEntry("POST", "$v2/cart/add-item", "", 200, "none"),
                JournalEntry("POST", "$v2/login", "", 200, "basic"),
                JournalEntry("GET", "$v2/cart", "cart_key=$guestKey", 200, "bearer"),
                JournalEntry("GET", "$v2/cart", "", 403, "bearer"),
                JournalEntry("POST", "/wp-json/cocart/jwt/refresh-token", "", 200, "none"),
                JournalEntry("GET", "$v2/cart", "", 200, "bearer"),
                JournalEntry("POST", "$v2/logout", "", 200, "bearer"),
                JournalEntry("GET", "$v2/cart", "", 403, "bearer"),
                JournalEntry("POST", "/wp-json/cocart/jwt/refresh-token", "", 403, "none"),
            ),
            mock.journal(),
        )
    }

    @Test
    fun `the mock comes from the installed jar`(mock: CoCartMock) {
        val jar = Path.of(CoCartMockExtension::class.java.protectionDomain.codeSource.location.toURI())
        assertTrue(jar.toString().endsWith(".m2/repository/dev/cocart/cocart-mock-junit/${jar.parent.fileName}/${jar.fileName}"), "$jar")
        val sha = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(jar)).joinToString("") { "%02x".format(it) }
        assertEquals(System.getProperty("expected.jar.sha256"), sha, "the jar in the local repository is the built one")
        assertTrue(mock.isRunning)
    }
}

/** The storefront's own client, as small as the example needs (JDK HttpClient). */
class YourClient(private val url: String) {
    private val http = Http(url)
    private var token: String? = null

    fun login(user: String, password: String) {
        val basic = "Basic " + Base64.getEncoder().encodeToString("$user:$password".toByteArray())
        val r = http.send("POST", "/login", auth = basic)
        check(r.statusCode() == 200) { "login: ${r.statusCode()}" }
        token = Regex("\"jwt_token\":\"([^\"]+)\"").find(r.body())!!.groupValues[1]
    }

    fun cartStatus(): Int = http.send("GET", "/cart", auth = token?.let { "Bearer $it" }).statusCode()
}

/** Requests to the store's REST API (`/wp-json/cocart/v2` unless the path starts with /jwt). */
class Http(private val url: String) {
    private val client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()

    fun send(method: String, path: String, json: String? = null, auth: String? = null): HttpResponse<String> {
        val base = if (path.startsWith("/jwt/")) "/wp-json/cocart" else "/wp-json/cocart/v2"
        val request = HttpRequest.newBuilder(URI.create(url + base + path))
            .method(method, json?.let { HttpRequest.BodyPublishers.ofString(it) } ?: HttpRequest.BodyPublishers.noBody())
        json?.let { request.header("Content-Type", "application/json") }
        auth?.let { request.header("Authorization", it) }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString())
    }
}
