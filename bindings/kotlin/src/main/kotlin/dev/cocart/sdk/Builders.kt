package dev.cocart.sdk

/** A product by id, e.g. `productId(101)`. */
fun productId(id: Long): ProductRef = ProductRef.Id(id)

/**
 * The cart of the current user or guest: `client.cart.get()`.
 *
 * Each read returns a new handle that needs no closing: the handle holds its own reference to
 * the client's Rust core, so it stays valid on its own, and the JVM's Cleaner (Android's
 * SystemCleaner) frees it once it is unreachable. It is not cached on purpose: a shared cached
 * handle that one caller closed (`use {}`, `close()`) would make every later call throw
 * `IllegalStateException`; with a handle per read, closing is optional and harmless. A handle
 * costs one small native allocation, nothing next to the HTTP request it makes.
 */
val CoCartClient.cart: CartApi get() = cart()

/** The shop's catalog and the store's information: `client.catalog.products(…)` (see [cart]). */
val CoCartClient.catalog: CatalogApi get() = catalog()

/** A product by SKU, e.g. `productSku("MOCK-TSHIRT")`. */
fun productSku(sku: String): ProductRef = ProductRef.Sku(sku)

/**
 * A client for [storeUrl] with default settings, persisting the session in [sessionStore]
 * (memory only when `null`). Close it (or use `use {}`) when the app no longer needs it.
 */
fun CoCartClient(storeUrl: String, sessionStore: SessionStore? = null): CoCartClient =
    CoCartClient(ClientConfig(storeUrl = storeUrl), sessionStore)

/** The old name of [SessionStore]. */
@Deprecated("Renamed to SessionStore", ReplaceWith("SessionStore"))
typealias TokenStore = SessionStore

/** The old name of [CatalogApi]. */
@Deprecated("Renamed to CatalogApi", ReplaceWith("CatalogApi"))
typealias StoreApi = CatalogApi

/** The old name of [CoCartClient.catalog]. */
@Deprecated("Renamed to catalog()", ReplaceWith("catalog()"))
fun CoCartClient.store(): CatalogApi = catalog()

/** The old name of [CatalogApi.storeInfo]. */
@Deprecated("Renamed to storeInfo()", ReplaceWith("storeInfo()"))
suspend fun CatalogApi.info(): StoreInfo = storeInfo()

// The core's enums are generated from the `cocart` crate into dev.cocart.sdk.core (see
// sdk/uniffi.toml); these aliases keep their names in this package.

/** Why a session ended. */
typealias SignOutReason = dev.cocart.sdk.core.SignOutReason

/** How REST routes are addressed on the site. */
typealias RestStyle = dev.cocart.sdk.core.RestStyle

/** Sort key for product lists. */
typealias ProductOrderBy = dev.cocart.sdk.core.ProductOrderBy

/** Sort direction. */
typealias SortOrder = dev.cocart.sdk.core.SortOrder

/** Stock filter. */
typealias StockStatus = dev.cocart.sdk.core.StockStatus
