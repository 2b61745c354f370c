package dev.cocart.sdk

import dev.cocart.mock.CoCartMockExtension
import dev.cocart.mock.CoCartMockExtension.Lifetime
import dev.cocart.mock.MockProfile
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.extension.RegisterExtension

/**
 * The guest → customer transfer through the FFI: the mock replaces the customer's saved cart
 * with the guest cart (as a live CoCart 4.9.3 store does); the policy decides whether the SDK
 * adds the saved lines back, and the report says what happened to each line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransferTest {
    @RegisterExtension
    @JvmField
    val mockExtension = CoCartMockExtension(MockProfile(), Lifetime.PER_CLASS)
    private val mock get() = mockExtension.mock

    @BeforeEach
    fun resetMock() {
        mock.reset()
    }

    private fun config(policy: TransferPolicy? = null) = ClientConfig(
        storeUrl = mock.baseUrl,
        timeoutSeconds = 10,
        transferPolicy = policy,
    )

    /** The demo customer's saved cart holds a cap (added from "another device"). */
    private suspend fun savedCap() {
        CoCartClient(config(), null).use { other ->
            other.login(USER, PASSWORD)
            other.cart.addItem(AddItemRequest(product = productSku("MOCK-CAP")))
        }
    }

    private suspend fun guestWithMug(policy: TransferPolicy? = null): CoCartClient {
        val client = CoCartClient(config(policy), null)
        client.cart.addItem(AddItemRequest(product = productSku("MOCK-MUG")))
        return client
    }

    private fun paths() = mock.journal().map { it.method + " " + it.path.removePrefix("/wp-json/cocart/v2") }

    @Test
    fun `keep both is the default and adds the saved lines back`() = runBlocking {
        savedCap()
        guestWithMug().use { client ->
            mock.clearJournal()
            val result = client.loginWithReport(USER, PASSWORD)
            assertNull(result.transferError)
            val report = result.transfer!!
            assertEquals(TransferPolicy.KEEP_BOTH, report.policy)
            assertTrue(report.accountCartRead)
            assertEquals(
                listOf(
                    Triple(TransferLineOrigin.GUEST, "Mug", TransferLineOutcome.Moved),
                    Triple(TransferLineOrigin.ACCOUNT, "Cap", TransferLineOutcome.Readded),
                ),
                report.lines.map { Triple(it.origin, it.name, it.outcome) },
            )
            assertEquals(
                "moved 1 line from the guest cart; kept 0 lines from your account cart; re-added 1",
                report.summary,
            )
            assertEquals(listOf("MOCK-MUG", "MOCK-CAP"), report.cart.items.map { it.sku })
            assertEquals(
                listOf("POST /login", "GET /cart/items", "GET /cart", "POST /cart/add-item"),
                paths(),
            )
            assertEquals(report, client.lastTransfer())
            assertNull(client.cartKey(), "the guest key is spent")
        }
    }

    @Test
    fun `guest replaces is the store behaviour in one request`() = runBlocking {
        savedCap()
        guestWithMug(TransferPolicy.GUEST_REPLACES).use { client ->
            mock.clearJournal()
            val report = client.loginWithReport(USER, PASSWORD).transfer!!
            assertEquals(TransferPolicy.GUEST_REPLACES, report.policy)
            assertFalse(report.accountCartRead)
            assertEquals(listOf(TransferLineOrigin.GUEST), report.lines.map { it.origin })
            assertEquals(listOf("POST /login", "GET /cart"), paths())
            assertEquals(listOf("MOCK-MUG"), client.cart.get().items.map { it.sku })
        }
    }

    @Test
    fun `a saved line that cannot be added back is reported and the login stands`() = runBlocking {
        savedCap()
        guestWithMug().use { client ->
            mock.addFault("""{"path":"/wp-json/cocart/v2/cart/add-item","kind":"status","status":500}""")
            val result = client.loginWithReport(USER, PASSWORD)
            assertTrue(client.isSignedIn())
            val cap = result.transfer!!.lines.single { it.origin == TransferLineOrigin.ACCOUNT }
            val dropped = cap.outcome as TransferLineOutcome.Dropped
            assertEquals("server_error", dropped.code)
            assertEquals("the store failed", dropped.reason)
            assertTrue(result.transfer!!.summary.endsWith("could not re-add 'Cap': the store failed"))
            // Nothing is left to transfer: an explicit transfer sends nothing.
            mock.clearJournal()
            assertNull(client.transferGuestCart(null))
            assertEquals(emptyList<String>(), paths())
        }
    }

    @Test
    fun `a transfer that fails is a typed error and the login stands`() = runBlocking {
        savedCap()
        guestWithMug().use { client ->
            mock.addFault("""{"path":"/wp-json/cocart/v2/cart","kind":"status","status":503}""")
            val result = client.loginWithReport(USER, PASSWORD)
            assertTrue(client.isSignedIn())
            assertNull(result.transfer)
            val error = result.transferError as CoCartException.Server
            assertEquals(503, error.status)
            assertTrue(error.message.contains("HTTP 503"), error.message)
        }
    }

    private companion object {
        const val USER = "demo"
        const val PASSWORD = "demo-password"
    }
}
