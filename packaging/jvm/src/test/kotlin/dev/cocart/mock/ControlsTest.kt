package dev.cocart.mock

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.extension.RegisterExtension
import java.io.File
import java.lang.reflect.Modifier
import java.util.Base64
import kotlin.math.abs

/**
 * The one list of controls, packaging/controls.json (field "jvm"), against this API: by
 * reflection (every name is a public method of CoCartMock), and by effect (each control is called
 * on a running mock and what it changed is checked through the store's own routes).
 */
class ControlsTest {
    @RegisterExtension
    @JvmField
    val store = CoCartMockExtension(MockProfile(accessTtlSeconds = ACCESS_TTL))

    private fun jvmNames(): List<String> {
        val path = requireNotNull(System.getProperty("cocart.controls.json")) { "the pom passes cocart.controls.json" }
        val doc = Json.parse(File(path).readText()) as Map<*, *>
        val names = (doc["controls"] as List<*>).map { (it as Map<*, *>)["jvm"] as String }
        assertTrue(names.size >= 15, "controls.json lists ${names.size} controls")
        return names
    }

    @Test
    fun `every control in controls json is a public method of CoCartMock`() {
        val methods = CoCartMock::class.java.methods.filter { Modifier.isPublic(it.modifiers) }.map { it.name }.toSet()
        val missing = jvmNames().filter { it !in methods }
        assertEquals(emptyList<String>(), missing, "controls of packaging/controls.json missing from CoCartMock")
    }

    @Test
    fun `every control in controls json has an effect check here`() {
        assertEquals(jvmNames().sorted(), effects.keys.sorted())
    }

    @TestFactory
    fun `each control changes the running mock`(): List<DynamicTest> = jvmNames().map { name ->
        DynamicTest.dynamicTest(name) {
            val check = effects[name] ?: error("no effect check for $name")
            store.mock.reset()
            check(store.mock)
        }
    }

    @Test
    fun `a refused control throws with the mock's error code`() {
        val e = assertThrows(MockControlException::class.java) { store.mock.deleteUser(999) }
        assertEquals(404, e.status)
        assertEquals("mock_not_found", e.code)
    }

    @Test
    fun `the secret of a configuration change is not shown`() {
        val change = ConfigChange(secret = "s3cr3t-value", accessTtlSeconds = 5)
        assertFalse("s3cr3t-value" in change.toString(), change.toString())
        assertTrue(store.mock.configure(change).hasSecret)
    }

    private companion object {
        const val ACCESS_TTL = 60L
        const val CART = "/wp-json/cocart/v2/cart"

        fun accessToken(mock: CoCartMock, user: String = "demo", password: String = "demo-password"): String {
            val r = Store.login(mock, user, password)
            assertEquals(200, r.statusCode(), r.body())
            return Store.field(r.body(), "extras").let { (it as Map<*, *>)["jwt_token"] as String }
        }

        fun cartStatus(mock: CoCartMock, token: String? = null) =
            Store.send(mock, "GET", CART, authorization = token?.let { "Bearer $it" }).statusCode()

        fun lifetime(token: String): Long {
            val payload = Json.parse(String(Base64.getUrlDecoder().decode(token.split('.')[1]))) as Map<*, *>
            return (payload["exp"] as Long) - (payload["iat"] as Long)
        }

        val wallClock get() = System.currentTimeMillis() / 1000

        /** What each control does, seen through the store (keys: controls.json "jvm"). */
        val effects: Map<String, (CoCartMock) -> Unit> = mapOf(
            "reset" to { mock ->
                mock.addUser("kim", "kim-pw")
                mock.advanceClock(86_400)
                Store.send(mock, "GET", CART)
                mock.addFault(Fault.status(CART, 503))
                mock.reset()
                assertEquals(listOf("demo"), mock.users().map { it.username })
                assertEquals(emptyList<JournalEntry>(), mock.journal())
                assertEquals(emptyList<Fault>(), mock.faults())
                assertTrue(abs(mock.now() - wallClock) < 60, "the clock is back to the wall clock")
                assertEquals(401, Store.login(mock, "kim", "kim-pw").statusCode())
            },
            "now" to { mock ->
                assertTrue(abs(mock.now() - wallClock) < 60, "a fresh mock's clock is the wall clock")
                mock.advanceClock(1_000_000)
                val before = mock.now()
                val stamp = Store.send(mock, "GET", CART).headers().firstValue("CoCart-Timestamp").orElse("").toLong()
                assertTrue(stamp in before..mock.now(), "the store's time $stamp is the mock's clock (from $before)")
            },
            "advanceClock" to { mock ->
                val token = accessToken(mock)
                assertEquals(200, cartStatus(mock, token))
                val before = mock.now()
                val after = mock.advanceClock(ACCESS_TTL + 1)
                assertTrue(after - before - (ACCESS_TTL + 1) in 0..2, "moved from $before to $after (the clock also runs)")
                assertEquals(403, cartStatus(mock, token), "the access token expired on the mock's clock")
            },
            "setClock" to { mock ->
                assertEquals(2_000_000_000L, mock.setClock(2_000_000_000))
                val stamp = Store.send(mock, "GET", CART).headers().firstValue("CoCart-Timestamp").orElse("").toLong()
                assertTrue(stamp - 2_000_000_000L in 0..2, "the store's time is $stamp")
            },
            "addUser" to { mock ->
                assertEquals(401, Store.login(mock, "kim", "kim-pw").statusCode())
                val id = mock.addUser("kim", "kim-pw", firstName = "Kim")
                assertEquals(2L, id)
                assertEquals(200, Store.login(mock, "kim", "kim-pw").statusCode())
                assertEquals(200, Store.login(mock, "kim@example.com", "kim-pw").statusCode())
            },
            "users" to { mock ->
                mock.addUser("kim", "kim-pw", email = "k@example.org", firstName = "Kim", lastName = "Lee")
                assertEquals(
                    listOf(MockUser(1, "demo", "demo@example.com", "Demo", "Customer"), MockUser(2, "kim", "k@example.org", "Kim", "Lee")),
                    mock.users(),
                )
            },
            "updateUser" to { mock ->
                val token = accessToken(mock)
                mock.updateUser(1, password = "new-pw")
                assertEquals(401, Store.login(mock, "demo", "demo-password").statusCode())
                assertEquals(200, Store.login(mock, "demo", "new-pw").statusCode())
                assertEquals(403, cartStatus(mock, token), "a password change revokes the user's tokens")
                mock.updateUser(1, email = "d2@example.com")
                assertEquals("d2@example.com", mock.users().single().email)
            },
            "deleteUser" to { mock ->
                val id = mock.addUser("kim", "kim-pw")
                mock.deleteUser(id)
                assertEquals(listOf("demo"), mock.users().map { it.username })
                assertEquals(401, Store.login(mock, "kim", "kim-pw").statusCode())
            },
            "journal" to { mock ->
                Store.send(mock, "GET", "$CART?thumb=true")
                Store.login(mock, "demo", "demo-password")
                assertEquals(
                    listOf(
                        JournalEntry("GET", CART, "thumb=true", 200, "none"),
                        JournalEntry("POST", "/wp-json/cocart/v2/login", "", 200, "basic"),
                    ),
                    mock.journal(),
                )
            },
            "clearJournal" to { mock ->
                Store.send(mock, "GET", CART)
                assertEquals(1, mock.journal().size)
                mock.clearJournal()
                assertEquals(emptyList<JournalEntry>(), mock.journal())
                Store.send(mock, "GET", CART)
                assertEquals(1, mock.journal().size, "journaling goes on after a clear")
            },
            "configure" to { mock ->
                assertEquals(ACCESS_TTL, lifetime(accessToken(mock)))
                val settings = mock.configure(ConfigChange(accessTtlSeconds = 123, plugin = Plugin.V2))
                assertEquals(123L, settings.accessTtlSeconds)
                assertEquals(Plugin.V2, settings.plugin)
                assertEquals(123L, lifetime(accessToken(mock)), "tokens issued afterwards have the new lifetime")
                mock.configure(ConfigChange(environment = Environment.PRODUCTION))
                assertEquals(401, Store.login(mock, "demo", "demo-password").statusCode(), "production refuses Basic")
                mock.configure(ConfigChange(removeSecret = true))
                assertFalse(mock.config().hasSecret)
            },
            "config" to { mock ->
                assertEquals(
                    MockSettings(Plugin.V3, HostProfile.STANDARD, ACCESS_TTL, 2_592_000, true, false, Environment.LOCAL),
                    mock.config(),
                )
                mock.configure(ConfigChange(hostProfile = HostProfile.customAuthHeader("X-Auth"), rateLimit = true))
                val now = mock.config()
                assertEquals(HostProfile.customAuthHeader("X-Auth"), now.hostProfile)
                assertTrue(now.rateLimit)
            },
            "addFault" to { mock ->
                mock.addFault(Fault.status(CART, 503))
                assertEquals(503, cartStatus(mock))
                assertEquals(200, cartStatus(mock), "one request only (times = 1)")
                mock.addFault(Fault.delay(CART, 700))
                val start = System.nanoTime()
                assertEquals(200, cartStatus(mock))
                assertTrue(System.nanoTime() - start >= 700_000_000, "delayed by 700 ms")
            },
            "faults" to { mock ->
                assertEquals(emptyList<Fault>(), mock.faults())
                mock.addFault(Fault.status(CART, 502, times = 2))
                mock.addFault(Fault.drop("/wp-json/cocart/v2/login"))
                assertEquals(listOf(Fault.status(CART, 502, 2), Fault.drop("/wp-json/cocart/v2/login")), mock.faults())
                cartStatus(mock)
                assertEquals(1, mock.faults().first().times, "one of two used")
            },
            "clearFaults" to { mock ->
                mock.addFault(Fault.status(CART, 503, times = 5))
                mock.clearFaults()
                assertEquals(emptyList<Fault>(), mock.faults())
                assertEquals(200, cartStatus(mock))
            },
        )
    }
}
