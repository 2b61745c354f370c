package dev.cocart.sdk

import dev.cocart.mock.CoCartMockExtension
import dev.cocart.mock.CoCartMockExtension.Lifetime
import dev.cocart.mock.MockProfile
import kotlinx.coroutines.CoroutineExceptionHandler
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotSame
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assertions.fail
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.extension.RegisterExtension
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors

/**
 * What makes the bindings read like Kotlin: handles without `use {}`, readable exception
 * messages, `data object`s, `Long`/`Int` numbers, the auth state as a `StateFlow`.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KotlinIdiomsTest {
    @RegisterExtension
    @JvmField
    val mockExtension = CoCartMockExtension(MockProfile(), Lifetime.PER_CLASS)
    private val mock get() = mockExtension.mock

    @BeforeEach
    fun resetMock() {
        mock.reset()
    }

    private fun config(timeoutSeconds: Int = 10, readRetries: Int? = null) =
        ClientConfig(storeUrl = mock.baseUrl, timeoutSeconds = timeoutSeconds, readRetries = readRetries)

    private suspend inline fun <reified E : CoCartException> failure(block: () -> Unit): E {
        try {
            block()
        } catch (e: CoCartException) {
            if (e is E) return e
            fail<Unit>("expected ${E::class.simpleName}, got $e")
        }
        fail<Unit>("expected ${E::class.simpleName}, nothing was thrown")
        error("unreachable")
    }

    @Test
    fun `cart and catalog are properties whose handles need no closing`() = runBlocking {
        CoCartClient(config(), null).use { client ->
            client.cart.addItem(AddItemRequest(product = productSku("MOCK-TSHIRT"), quantity = 2.0))
            assertEquals(listOf("MOCK-TSHIRT"), client.cart.get().items.map { it.sku })
            // A handle per read: closing one (an old `use {}` habit) breaks nothing after it.
            val first = client.cart
            assertNotSame(first, client.cart)
            first.close()
            assertEquals(2.0, client.cart.count())
            client.catalog.close()
            assertEquals(105L, client.catalog.product(productSku("MOCK-POSTER")).id)
        }
    }

    @Test
    fun `a store error's message has the store's text, its code and the HTTP status`() = runBlocking {
        CoCartClient(config(), null).use { client ->
            val e = failure<CoCartException.Validation> {
                client.cart.addItem(AddItemRequest(product = productId(105)))
            }
            assertEquals(404, e.status)
            assertEquals("${e.serverMessage} (cocart_product_out_of_stock, HTTP 404)", e.message)
            assertTrue(e.serverMessage.contains("out of stock"), e.serverMessage)
            assertEquals("dev.cocart.sdk.CoCartException\$Validation: ${e.message}", e.toString())
            assertEquals("OutOfStock", e.kind.toString())
        }
    }

    @Test
    fun `NotSignedIn, Timeout and Server errors say what happened`() = runBlocking {
        CoCartClient(config(), null).use { client ->
            val notSignedIn = failure<CoCartException.NotSignedIn> { client.logout() }
            assertEquals("not signed in: this call needs a logged-in customer", notSignedIn.message)
        }
        CoCartClient(config(timeoutSeconds = 1, readRetries = 0), null).use { client ->
            mock.addFault("""{"path":"/wp-json/cocart/v2/cart","times":1,"kind":"delay","ms":2500}""")
            val timeout = failure<CoCartException.Timeout> { client.cart.get() }
            assertEquals("the request timed out; the session is kept, retry later", timeout.message)
            mock.addFault("""{"path":"/wp-json/cocart/v2/cart","times":1,"kind":"status","status":503}""")
            val server = failure<CoCartException.Server> { client.cart.get() }
            assertEquals(503, server.status)
            assertTrue(server.message.contains("HTTP 503"), server.message)
        }
    }

    @Test
    fun `variants without data are data objects that print their name`() {
        assertEquals("OutOfStock", ValidationKind.OutOfStock.toString())
        assertEquals("Moved", TransferLineOutcome.Moved.toString())
        assertEquals(ValidationKind.Other.hashCode(), ValidationKind.Other.hashCode())
        assertEquals("InvalidQuantity(min=null, max=3.0)", ValidationKind.InvalidQuantity(null, 3.0).toString())
    }

    @Test
    fun `ids are Long, pages Int, and a negative id is refused before anything is sent`() = runBlocking {
        CoCartClient(config(), null).use { client ->
            val page = client.catalog.products(ProductQuery(perPage = 2, page = 1, include = listOf(101L, 103L)))
            assertEquals(listOf(101L, 103L), page.products.map { it.id }.sorted())
            val total: Long = page.totalProducts
            val pages: Int = page.totalPages
            assertEquals(2L to 1, total to pages)
            mock.clearJournal()
            val e = failure<CoCartException.Validation> { client.catalog.product(productId(-1)) }
            assertEquals("invalid_argument", e.code)
            assertNull(e.status)
            assertEquals(ValidationKind.InvalidParameter, e.kind)
            assertEquals(emptyList<dev.cocart.mock.JournalEntry>(), mock.journal())
        }
    }

    @Test
    fun `term and review queries reach the store with their sort and filter fields`() = runBlocking {
        CoCartClient(config(), null).use { client ->
            val color = client.catalog.attributes().first { it.slug == "pa_color" }
            val bySlug = client.catalog.attributeTerms(color.id, TermQuery(orderby = TermOrderBy.SLUG, order = SortOrder.DESC))
            assertEquals(listOf("red", "green", "blue"), bySlug.terms.map { it.slug })
            val red = bySlug.terms.first { it.slug == "red" }
            val onlyRed = client.catalog.attributeTerms(color.id, TermQuery(include = listOf(red.id)))
            assertEquals(listOf("red"), onlyRed.terms.map { it.slug })
            val oldestFirst = client.catalog.reviews(
                ReviewQuery(products = listOf(101L), orderby = ReviewOrderBy.ID, order = SortOrder.ASC),
            )
            assertEquals(listOf(2L, 3L), oldestFirst.reviews.map { it.id })
            val notThree = client.catalog.reviews(ReviewQuery(products = listOf(101L), exclude = listOf(3L)))
            assertEquals(listOf(2L), notThree.reviews.map { it.id })
        }
    }

    @Test
    fun `the auth state is a StateFlow that follows sign-in and sign-out`() = runBlocking {
        val scope = CoroutineScope(Dispatchers.Default + Job())
        try {
            CoCartClient(config(), null).use { client ->
                val state = client.authState(scope)
                assertEquals(AuthState.SignedOut(null), state.value)
                val user = client.login(USER, PASSWORD)
                withTimeout(5_000) { state.first { it == AuthState.SignedIn(user) } }
                client.refreshIfNeeded()
                assertEquals(AuthState.SignedIn(user), state.value)
                client.logout()
                withTimeout(5_000) { state.first { it == AuthState.SignedOut(SignOutReason.LOGGED_OUT) } }
                // A state taken while signed in starts as SignedIn.
                client.login(USER, PASSWORD)
                val last = client.authState(scope)
                assertEquals(AuthState.SignedIn(user), last.value)
                // The scope's end closes the subscriptions: a sign-out after it changes nothing.
                scope.cancel()
                client.logout()
                delay(300)
                assertEquals(AuthState.SignedIn(user), last.value)
            }
        } finally {
            scope.cancel()
        }
    }

    @Test
    fun `the auth state subscribes before it returns, whatever the scope's dispatcher is doing`() = runBlocking {
        // The scope's only thread is busy until the client is closed: a state that subscribed
        // lazily, in the scope, would call a destroyed client then.
        val executor = Executors.newSingleThreadExecutor()
        val release = CountDownLatch(1)
        executor.execute { release.await() }
        val failures = CopyOnWriteArrayList<Throwable>()
        val scope = CoroutineScope(executor.asCoroutineDispatcher() + Job() + CoroutineExceptionHandler { _, e -> failures.add(e) })
        try {
            val seen = CopyOnWriteArrayList<AuthState>()
            CoCartClient(config(), null).use { client ->
                val state = client.authState(scope)
                val user = client.login(USER, PASSWORD)
                withTimeout(5_000) { while (state.value != AuthState.SignedIn(user)) delay(10) }
                seen.add(state.value)
            }
            release.countDown()
            delay(300)
            assertEquals(1, seen.size)
            assertEquals(emptyList<Throwable>(), failures.toList())
        } finally {
            release.countDown()
            scope.cancel()
            executor.shutdown()
        }
    }

    private companion object {
        const val USER = "demo"
        const val PASSWORD = "demo-password"
    }
}
