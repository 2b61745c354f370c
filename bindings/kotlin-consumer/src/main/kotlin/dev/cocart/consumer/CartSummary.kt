package dev.cocart.consumer

import dev.cocart.sdk.AddItemRequest
import dev.cocart.sdk.CoCartClient
import dev.cocart.sdk.cart
import dev.cocart.sdk.catalog
import dev.cocart.sdk.productSku
import kotlinx.coroutines.runBlocking

/** What this little app shows after a purchase step: who is signed in and what the cart holds. */
data class CartSummary(
    val username: String?,
    val storeName: String,
    val lines: Map<String, Double>,
    val subtotalMinor: Long,
    val currencyCode: String,
    val subtotalFormatted: String,
)

/**
 * Signs in to the store at [storeUrl], adds [quantity] of [sku] to the cart and reads the cart
 * back: everything through the published SDK API (dev.cocart:cocart-kotlin).
 */
suspend fun addToCartAndSummarize(
    storeUrl: String,
    username: String,
    password: String,
    sku: String,
    quantity: Double,
): CartSummary = CoCartClient(storeUrl).use { client ->
    val user = client.login(username, password)
    val storeName = client.catalog.storeInfo().title
    val cart = client.cart
    cart.addItem(AddItemRequest(product = productSku(sku), quantity = quantity))
    val back = cart.get()
    CartSummary(
        username = user.username,
        storeName = storeName,
        lines = back.items.associate { it.sku to it.quantity },
        subtotalMinor = back.totals.subtotal.minor,
        currencyCode = back.totals.subtotal.currencyCode,
        subtotalFormatted = back.totals.subtotal.formatted,
    )
}

/** `java -cp … dev.cocart.consumer.CartSummaryKt STORE_URL USER PASSWORD SKU` */
fun main(args: Array<String>) = runBlocking {
    require(args.size == 4) { "usage: CartSummaryKt STORE_URL USER PASSWORD SKU" }
    println(addToCartAndSummarize(args[0], args[1], args[2], args[3], 1.0))
}
