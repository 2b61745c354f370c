package dev.cocart.sdk

import dev.cocart.mock.CoCartMockExtension
import dev.cocart.mock.CoCartMockExtension.Lifetime
import dev.cocart.mock.MockProfile
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assertions.fail
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.extension.RegisterExtension
import java.util.concurrent.CopyOnWriteArrayList

/**
 * The Kotlin bindings end to end: the real libcocart_ffi (through JNA) against a real
 * cocart-mock process. The mock runs with 1-hour access tokens; a client "sees" expiry through
 * `ClientConfig.clockSkewSeconds`, moved in step with the mock's clock.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CoCartClientTest {
    @RegisterExtension
    @JvmField
    val mockExtension = CoCartMockExtension(MockProfile(accessTtlSeconds = ACCESS_TTL), Lifetime.PER_CLASS)
    private val mock get() = mockExtension.mock

    @BeforeEach
    fun resetMock() {
        mock.reset()
    }

    private fun config(skewSeconds: Long = 0) = ClientConfig(
        storeUrl = mock.baseUrl,
        timeoutSeconds = 10,
        clockSkewSeconds = skewSeconds,
    )

    /** A client whose restored session the store and the client both see as expired. */
    private suspend fun expiredClient(): CoCartClient {
        val store = MemoryTokenStore()
        CoCartClient(config(), store).use { it.login(USER, PASSWORD) }
        mock.advanceClock(2 * ACCESS_TTL)
        mock.clearJournal()
        val client = CoCartClient(config(skewSeconds = 2 * ACCESS_TTL), store)
        assertNotNull(client.restoreSession(), "the saved session is restored")
        return client
    }

    @Test
    fun `login returns the customer and keeps the session`() = runBlocking {
        CoCartClient(config(), null).use { client ->
            assertFalse(client.isSignedIn())
            val user = client.login(USER, PASSWORD)
            assertEquals("demo", user.username)
            assertTrue(client.isSignedIn())
            assertEquals(user, client.currentUser())
            assertTrue(client.validateToken())
        }
    }

    @Test
    fun `add to cart by SKU and by id, then read the cart back`() = runBlocking {
        CoCartClient(config(), null).use { client ->
            client.login(USER, PASSWORD)
            val cart = client.cart
            cart.addItem(AddItemRequest(product = productSku("MOCK-TSHIRT"), quantity = 2.0))
            val added = cart.addItem(AddItemRequest(product = productId(103)))
            assertEquals(2, added.items.size)

            val back = cart.get()
            val tshirt = back.items.single { it.sku == "MOCK-TSHIRT" }
            assertEquals(2.0, tshirt.quantity)
            assertEquals(1250L, tshirt.price.minor)
            assertEquals("USD", tshirt.price.currencyCode)
            assertEquals(2500L + 999L, back.totals.subtotal.minor)
            assertEquals("$34.99", back.totals.subtotal.formatted)
            assertEquals(3.0, cart.count())
            assertEquals(tshirt, cart.item(tshirt.itemKey))

            val updated = cart.updateItem(tshirt.itemKey, 1.0)
            assertEquals(1.0, updated.items.single { it.sku == "MOCK-TSHIRT" }.quantity)
            val removed = cart.removeItem(tshirt.itemKey)
            assertEquals(listOf("MOCK-MUG"), removed.items.map { it.sku })
            assertEquals(listOf(tshirt.itemKey), removed.removedItems.map { it.itemKey })
            assertEquals(0.0, cart.clear().itemCount)
        }
    }

    @Test
    fun `a Kotlin token store persists the session and a second client restores it`() = runBlocking {
        val store = MemoryTokenStore()
        val user = CoCartClient(config(), store).use { it.login(USER, PASSWORD) }
        val saved = store.raw()
        assertNotNull(saved, "login saved the session")
        assertFalse(saved!!.contains(PASSWORD), "the password is never stored")

        CoCartClient(config(), store).use { second ->
            assertFalse(second.isSignedIn())
            assertEquals(user, second.restoreSession())
            assertTrue(second.isSignedIn())
            // The restored token works on the store without a new login.
            second.cart.addItem(AddItemRequest(product = productId(101)))
            assertEquals(1, mock.journal().count { it.path == "/wp-json/cocart/v2/login" })
            second.logout()
            assertNull(store.raw(), "logout clears the stored session")
        }
    }

    @Test
    fun `expiry on the mock clock leads to one refresh and a TokenRefreshed event`() = runBlocking {
        expiredClient().use { client ->
            val received = CopyOnWriteArrayList<AuthEvent>()
            val collector = launch(Dispatchers.Default) { client.authEvents().collect { received.add(it) } }
            awaitSize(received, 1) // subscribed: InitialSession arrived
            assertTrue(client.refreshIfNeeded(), "an expired token is refreshed")
            assertEquals(listOf(200), mock.refreshStatuses())
            assertFalse(client.refreshIfNeeded(), "a fresh token is not refreshed again")
            assertEquals(1, mock.refreshStatuses().size)
            awaitSize(received, 2)
            collector.cancelAndJoin()
            assertTrue(received[0] is AuthEvent.InitialSession)
            assertEquals(AuthEvent.TokenRefreshed(saved = true), received[1])
            assertTrue(client.cart.get().cartKey.isNotEmpty())
        }
    }

    @Test
    fun `fifty concurrent coroutines with an expired token cause exactly one refresh`() = runBlocking {
        expiredClient().use { client ->
            val cart = client.cart
            val carts = coroutineScope {
                (1..50).map { async(Dispatchers.Default) { cart.get() } }.awaitAll()
            }
            assertEquals(50, carts.size)
            assertEquals(listOf(200), mock.refreshStatuses())
            assertEquals(50, mock.journal().count { it.path == "/wp-json/cocart/v2/cart" && it.status == 200 })
        }
    }

    @Test
    fun `a wrong password is InvalidCredentials`() = runBlocking {
        CoCartClient(config(), null).use { client ->
            try {
                client.login(USER, "not-the-password")
                fail("login must fail")
            } catch (e: CoCartException.InvalidCredentials) {
                assertFalse(e.message!!.contains("not-the-password"), "no secret in the message")
            }
            assertFalse(client.isSignedIn())
        }
    }

    @Test
    fun `an out-of-stock product is a Validation error of kind OutOfStock`() = runBlocking {
        CoCartClient(config(), null).use { client ->
            try {
                client.cart.addItem(AddItemRequest(product = productId(105)))
                fail("adding an out-of-stock product must fail")
            } catch (e: CoCartException.Validation) {
                assertEquals("cocart_product_out_of_stock", e.code)
                assertEquals(ValidationKind.OutOfStock, e.kind)
                assertTrue(e.serverMessage.isNotEmpty())
            }
        }
    }

    @Test
    fun `calls that need a session say NotSignedIn`() = runBlocking {
        CoCartClient(config(), null).use { client ->
            try {
                client.logout()
                fail("logout without a session must fail")
            } catch (e: CoCartException.NotSignedIn) {
                // expected
            }
        }
    }

    @Test
    fun `a coroutine cancelled during the refresh does not lose the session`() = runBlocking {
        expiredClient().use { client ->
            mock.addFault(
                """{"path":"${MockStore.REFRESH_PATH}","times":1,"kind":"delay","ms":1500}""",
            )
            val cart = client.cart
            val job = launch(Dispatchers.Default) { cart.get() }
            delay(300)
            job.cancelAndJoin()
            assertTrue(job.isCancelled)

            // The refresh goes on without its caller and completes (the mock's journal lists a
            // request on arrival with status 0 until it is answered).
            withTimeout(5_000) {
                while (mock.refreshStatuses().let { it.isEmpty() || 0 in it }) delay(20)
            }
            assertEquals(listOf(200), mock.refreshStatuses())

            val after = cart.get()
            assertTrue(after.cartKey.isNotEmpty())
            assertTrue(client.isSignedIn())
            assertEquals(listOf(200), mock.refreshStatuses(), "still exactly one refresh")
            cart.close() // optional: a handle the Cleaner would free anyway
        }
    }

    @Test
    fun `auth events flow through a Flow and stop when the collector is cancelled`() = runBlocking {
        CoCartClient(config(), null).use { client ->
            val received = CopyOnWriteArrayList<AuthEvent>()
            val collector = launch(Dispatchers.Default) { client.authEvents().collect { received.add(it) } }
            awaitSize(received, 1)
            val user = client.login(USER, PASSWORD)
            client.logout()
            awaitSize(received, 3)
            assertEquals(
                listOf(
                    AuthEvent.InitialSession(null),
                    AuthEvent.SignedIn(user),
                    AuthEvent.SignedOut(SignOutReason.LOGGED_OUT),
                ),
                received.toList(),
            )
            collector.cancelAndJoin()
            client.login(USER, PASSWORD)
            delay(200)
            assertEquals(3, received.size, "nothing arrives after the collector is cancelled")
        }
    }

    @Test
    fun `a closed subscription is no longer active`() = runBlocking {
        CoCartClient(config(), null).use { client ->
            val received = CopyOnWriteArrayList<AuthEvent>()
            val subscription = client.subscribe(object : AuthEventListener {
                override fun onEvent(event: AuthEvent) {
                    received.add(event)
                }
            })
            awaitSize(received, 1)
            assertTrue(subscription.isActive())
            subscription.cancel()
            assertFalse(subscription.isActive())
            client.login(USER, PASSWORD)
            delay(200)
            assertEquals(1, received.size, "only InitialSession arrived")
            subscription.close()
        }
    }

    @Test
    fun `a locked token store is a Storage error, not a sign-out`() = runBlocking {
        CoCartClient(config(), MemoryTokenStore(locked = true)).use { client ->
            try {
                client.restoreSession()
                fail("restoring from a locked store must fail")
            } catch (e: CoCartException.Storage) {
                assertTrue(e.unavailable)
            }
            assertFalse(client.isSignedIn())
        }
    }

    @Test
    fun `the catalog pages and finds products by SKU`() = runBlocking {
        CoCartClient(mock.baseUrl).use { client ->
            val catalog = client.catalog
            val page = catalog.products(ProductQuery(perPage = 3))
            assertEquals(3, page.products.size)
            assertTrue(page.hasNext)
            val poster = catalog.product(productSku("MOCK-POSTER"))
            assertEquals(105L, poster.id)
            assertFalse(poster.inStock)
            assertEquals(4, catalog.variations(201L).size)
            assertTrue(catalog.categories().any { it.slug == "clothing" })
            assertTrue(catalog.storeInfo().title.isNotEmpty())
        }
    }

    @Test
    fun `a facet query lists an attribute's terms and filters products by term, rating and brand`() = runBlocking {
        CoCartClient(mock.baseUrl).use { client ->
            val catalog = client.catalog
            val color = catalog.attributes().first { it.slug == "pa_color" }
            val terms = catalog.attributeTerms(color.id, TermQuery(hideEmpty = true))
            assertEquals(listOf("blue", "green", "red"), terms.terms.map { it.slug })
            assertEquals(3L, terms.total)
            assertEquals(listOf(1L, 1L, 1L), terms.terms.map { it.count })
            val red = catalog.products(
                ProductQuery(attributes = listOf(AttributeFilter(attribute = "pa_color", slugs = listOf("red")))),
            )
            assertEquals(listOf(101L), red.products.map { it.id })
            val tee = red.products.single()
            val attr = tee.attributes.single()
            assertEquals("attribute_pa_color", attr.key)
            assertEquals(listOf("red"), attr.optionSlugs)
            assertFalse(attr.usedForVariation)
            val rated = catalog.products(ProductQuery(rating = listOf(5), brands = listOf("mock-co")))
            assertEquals(listOf(103L), rated.products.map { it.id })
            val hoodie = catalog.product(ProductRef.Id(201L))
            assertEquals("small", hoodie.defaultAttributes["attribute_pa_size"])
        }
    }

    @Test
    fun `a product's reviews come as a page with totals and as embedded reviews`() = runBlocking {
        CoCartClient(mock.baseUrl).use { client ->
            val catalog = client.catalog
            val page = catalog.reviews(ReviewQuery(products = listOf(101L)))
            assertEquals(listOf(3L, 2L), page.reviews.map { it.id })
            assertEquals(2L, page.total)
            assertEquals(1, page.totalPages)
            assertFalse(page.hasNext)
            assertEquals("<p>It is okay.</p>\n", page.reviews[0].reviewHtml)
            assertEquals(3, page.reviews[0].rating)
            assertTrue(page.reviews[1].verified)
            val tee = catalog.productWithReviews(ProductRef.Id(101L))
            assertEquals(4.0, tee.averageRating)
            assertEquals(2L, tee.reviewCount)
            assertEquals(listOf("Bob smith", "Alice Reviewer"), tee.reviews.map { it.authorName })
            assertEquals(false, tee.reviews[0].verified)
            val held = runCatching { catalog.review(5L) }.exceptionOrNull()
            assertNotNull(held, "a held review is not shown")
        }
    }

    private suspend fun awaitSize(events: List<AuthEvent>, size: Int) {
        withTimeout(10_000) { while (events.size < size) delay(10) }
    }

    private companion object {
        const val USER = "demo"
        const val PASSWORD = "demo-password"
        const val ACCESS_TTL = 3600L
    }
}
