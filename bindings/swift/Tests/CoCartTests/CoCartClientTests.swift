import CoCart
import Foundation
import XCTest

extension NSLock {
    /// Runs `body` with the lock held.
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// An app-side token store: the session string in memory, as a Keychain item would hold it.
final class MemoryTokenStore: SessionStore, @unchecked Sendable {
    private let lock = NSLock()
    private var value: String?
    private let isLocked: Bool

    init(locked: Bool = false) { isLocked = locked }

    var raw: String? { lock.locked { value } }

    func load() async throws -> String? {
        if isLocked { throw StoreFailure.Unavailable(reason: "keychain locked") }
        return lock.locked { value }
    }

    func save(session: String) async throws { lock.locked { value = session } }

    func clear() async throws { lock.locked { value = nil } }
}

/// Collects events from a subscription.
final class Recorder: AuthEventListener, @unchecked Sendable {
    private let lock = NSLock()
    private var received: [AuthEvent] = []

    var events: [AuthEvent] { lock.locked { received } }

    func onEvent(event: AuthEvent) { lock.locked { received.append(event) } }
}

/// The Swift bindings end to end, mirroring the Kotlin tests: the real library against a real
/// cocart-mock (1-hour access tokens; a client sees expiry through `clockSkewSeconds`).
/// Needs COCART_MOCK_BIN; runs on macOS only (.github/workflows/swift.yml).
final class CoCartClientTests: XCTestCase {
    static let user = "demo"
    static let password = "demo-password"
    static let accessTTL: Int64 = 3600
    static var mock: MockStore!

    override class func setUp() {
        super.setUp()
        do {
            mock = try MockStore(arguments: ["--access-ttl", String(accessTTL)])
        } catch {
            XCTFail("cannot start cocart-mock: \(error)")
        }
    }

    override class func tearDown() {
        mock?.stop()
        super.tearDown()
    }

    override func setUp() async throws {
        try await Self.mock.reset()
    }

    private var mock: MockStore { Self.mock }

    private func config(skew: Int64 = 0) -> ClientConfig {
        ClientConfig(storeUrl: mock.baseURL, timeoutSeconds: 10, clockSkewSeconds: skew)
    }

    /// A client whose restored session the store and the client both see as expired.
    private func expiredClient() async throws -> CoCartClient {
        let store = MemoryTokenStore()
        _ = try await CoCartClient(config: config(), sessionStore: store)
            .login(username: Self.user, password: Self.password)
        try await mock.advanceClock(2 * Self.accessTTL)
        try await mock.clearJournal()
        let client = try CoCartClient(config: config(skew: 2 * Self.accessTTL), sessionStore: store)
        let restored = try await client.restoreSession()
        XCTAssertNotNil(restored)
        return client
    }

    func testLoginReturnsTheCustomerAndKeepsTheSession() async throws {
        let client = try CoCartClient(config: config(), sessionStore: nil)
        XCTAssertFalse(client.isSignedIn())
        let user = try await client.login(username: Self.user, password: Self.password)
        XCTAssertEqual(user.username, "demo")
        XCTAssertTrue(client.isSignedIn())
        XCTAssertEqual(client.currentUser(), user)
        let valid = try await client.validateToken()
        XCTAssertTrue(valid)
    }

    func testAddToCartBySkuAndIdThenReadItBack() async throws {
        let client = try CoCartClient(config: config(), sessionStore: nil)
        _ = try await client.login(username: Self.user, password: Self.password)
        let cart = client.cart()
        _ = try await cart.addItem(item: AddItemRequest(product: .sku(sku: "MOCK-TSHIRT"), quantity: 2))
        let added = try await cart.addItem(item: AddItemRequest(product: .id(id: 103)))
        XCTAssertEqual(added.items.count, 2)

        let back = try await cart.get()
        let tshirt = try XCTUnwrap(back.items.first { $0.sku == "MOCK-TSHIRT" })
        XCTAssertEqual(tshirt.quantity, 2)
        XCTAssertEqual(tshirt.price.minor, 1250)
        XCTAssertEqual(tshirt.price.currencyCode, "USD")
        XCTAssertEqual(back.totals.subtotal.minor, 2500 + 999)
        XCTAssertEqual(back.totals.subtotal.formatted, "$34.99")
        let count = try await cart.count()
        XCTAssertEqual(count, 3)
        let line = try await cart.item(itemKey: tshirt.itemKey)
        XCTAssertEqual(line, tshirt)

        let removed = try await cart.removeItem(itemKey: tshirt.itemKey)
        XCTAssertEqual(removed.items.map(\.sku), ["MOCK-MUG"])
        XCTAssertEqual(removed.removedItems.map(\.itemKey), [tshirt.itemKey])
        let cleared = try await cart.clear()
        XCTAssertEqual(cleared.itemCount, 0)
    }

    func testASwiftTokenStorePersistsTheSessionAndASecondClientRestoresIt() async throws {
        let store = MemoryTokenStore()
        let user = try await CoCartClient(config: config(), sessionStore: store)
            .login(username: Self.user, password: Self.password)
        let saved = try XCTUnwrap(store.raw)
        XCTAssertFalse(saved.contains(Self.password))

        let second = try CoCartClient(config: config(), sessionStore: store)
        XCTAssertFalse(second.isSignedIn())
        let restored = try await second.restoreSession()
        XCTAssertEqual(restored, user)
        _ = try await second.cart().addItem(item: AddItemRequest(product: .id(id: 101)))
        let logins = try await mock.journal().filter { $0.path == "/wp-json/cocart/v2/login" }
        XCTAssertEqual(logins.count, 1)
        _ = try await second.logout()
        XCTAssertNil(store.raw)
    }

    func testExpiryOnTheMockClockLeadsToOneRefreshAndAnEvent() async throws {
        let client = try await expiredClient()
        let recorder = Recorder()
        let subscription = try client.subscribe(listener: recorder)
        let refreshed = try await client.refreshIfNeeded()
        XCTAssertTrue(refreshed)
        let statuses = try await mock.refreshStatuses()
        XCTAssertEqual(statuses, [200])
        let again = try await client.refreshIfNeeded()
        XCTAssertFalse(again)
        for _ in 0..<200 where recorder.events.count < 2 {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        XCTAssertEqual(recorder.events.last, .tokenRefreshed(saved: true))
        subscription.cancel()
    }

    func testFiftyConcurrentTasksWithAnExpiredTokenCauseExactlyOneRefresh() async throws {
        let client = try await expiredClient()
        let cart = client.cart()
        let count = try await withThrowingTaskGroup(of: Cart.self) { group in
            for _ in 0..<50 { group.addTask { try await cart.get() } }
            var n = 0
            for try await _ in group { n += 1 }
            return n
        }
        XCTAssertEqual(count, 50)
        let statuses = try await mock.refreshStatuses()
        XCTAssertEqual(statuses, [200])
    }

    func testAWrongPasswordIsInvalidCredentials() async throws {
        let client = try CoCartClient(config: config(), sessionStore: nil)
        do {
            _ = try await client.login(username: Self.user, password: "not-the-password")
            XCTFail("login must fail")
        } catch CoCartError.InvalidCredentials(let detail) {
            XCTAssertFalse(detail.contains("not-the-password"))
        }
        XCTAssertFalse(client.isSignedIn())
    }

    func testAnOutOfStockProductIsAValidationErrorOfKindOutOfStock() async throws {
        let client = try CoCartClient(config: config(), sessionStore: nil)
        do {
            _ = try await client.cart().addItem(item: AddItemRequest(product: .id(id: 105)))
            XCTFail("adding an out-of-stock product must fail")
        } catch let error as CoCartError {
            guard case .Validation(let code, let message, let kind, let status) = error else {
                return XCTFail("expected Validation, got \(error)")
            }
            XCTAssertEqual(code, "cocart_product_out_of_stock")
            XCTAssertEqual(kind, .outOfStock)
            XCTAssertEqual(status, 404)
            XCTAssertFalse(message.isEmpty)
            // The message is the store's text, its code and the HTTP status.
            XCTAssertEqual(error.localizedDescription, "\(message) (cocart_product_out_of_stock, HTTP 404)")
            XCTAssertEqual("\(error)", error.localizedDescription)
        }
    }

    /// Swift does not cancel the Rust future of a cancelled task (it runs to the end); either
    /// way the refresh must complete once and the session must survive.
    func testATaskCancelledDuringTheRefreshDoesNotLoseTheSession() async throws {
        let client = try await expiredClient()
        try await mock.addFault(
            #"{"path":"\#(MockStore.refreshPath)","times":1,"kind":"delay","ms":1500}"#)
        let cart = client.cart()
        let task = Task { try await cart.get() }
        try await Task.sleep(nanoseconds: 300_000_000)
        task.cancel()
        _ = try? await task.value

        var statuses: [Int] = []
        // The mock's journal lists a request on arrival with status 0 until it is answered.
        for _ in 0..<250 where statuses.isEmpty || statuses.contains(0) {
            statuses = try await mock.refreshStatuses()
            if statuses.isEmpty || statuses.contains(0) { try await Task.sleep(nanoseconds: 20_000_000) }
        }
        XCTAssertEqual(statuses, [200])
        let after = try await cart.get()
        XCTAssertFalse(after.cartKey.isEmpty)
        XCTAssertTrue(client.isSignedIn())
        let final = try await mock.refreshStatuses()
        XCTAssertEqual(final, [200])
    }

    func testAuthEventsArriveThroughAnAsyncStream() async throws {
        let client = try CoCartClient(config: config(), sessionStore: nil)
        let stream = try client.authEvents()
        let collector = Task { () -> [AuthEvent] in
            var events: [AuthEvent] = []
            for await event in stream {
                events.append(event)
                if events.count == 3 { break }
            }
            return events
        }
        let user = try await client.login(username: Self.user, password: Self.password)
        _ = try await client.logout()
        let events = await collector.value
        XCTAssertEqual(events, [
            .initialSession(user: nil),
            .signedIn(user: user),
            .signedOut(reason: .loggedOut),
        ])
    }

    func testACancelledSubscriptionStopsDelivering() async throws {
        let client = try CoCartClient(config: config(), sessionStore: nil)
        let recorder = Recorder()
        let subscription = try client.subscribe(listener: recorder)
        for _ in 0..<200 where recorder.events.isEmpty {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        XCTAssertTrue(subscription.isActive())
        subscription.cancel()
        XCTAssertFalse(subscription.isActive())
        _ = try await client.login(username: Self.user, password: Self.password)
        try await Task.sleep(nanoseconds: 200_000_000)
        XCTAssertEqual(recorder.events.count, 1)
    }

    func testALockedTokenStoreIsAStorageErrorNotASignOut() async throws {
        let client = try CoCartClient(config: config(), sessionStore: MemoryTokenStore(locked: true))
        do {
            _ = try await client.restoreSession()
            XCTFail("restoring from a locked store must fail")
        } catch CoCartError.Storage(let unavailable, _) {
            XCTAssertTrue(unavailable)
        }
        XCTAssertFalse(client.isSignedIn())
    }

    func testTheCatalogPagesAndFindsProductsBySku() async throws {
        let catalog = try CoCartClient(storeURL: mock.baseURL).catalog()
        let page = try await catalog.products(query: ProductQuery(perPage: 3))
        XCTAssertEqual(page.products.count, 3)
        XCTAssertTrue(page.hasNext)
        let poster = try await catalog.product(product: .sku(sku: "MOCK-POSTER"))
        XCTAssertEqual(poster.id, 105)
        XCTAssertFalse(poster.inStock)
        let variations = try await catalog.variations(productId: 201)
        XCTAssertEqual(variations.count, 4)
        let categories = try await catalog.categories()
        XCTAssertTrue(categories.contains { $0.slug == "clothing" })
    }

    func testNotSignedInAndTimeoutSayWhatHappened() async throws {
        let client = try CoCartClient(config: config(), sessionStore: nil)
        do {
            _ = try await client.logout()
            XCTFail("logout without a session must fail")
        } catch let error as CoCartError {
            XCTAssertEqual(error, .NotSignedIn)
            XCTAssertEqual(error.localizedDescription, "not signed in: this call needs a logged-in customer")
        }
        let slow = try CoCartClient(
            config: ClientConfig(storeUrl: mock.baseURL, timeoutSeconds: 1, readRetries: 0), sessionStore: nil)
        try await mock.addFault(#"{"path":"/wp-json/cocart/v2/cart","times":1,"kind":"delay","ms":2500}"#)
        do {
            _ = try await slow.cart().get()
            XCTFail("a store that does not answer in time must fail")
        } catch let error as CoCartError {
            XCTAssertEqual(error, .Timeout)
            XCTAssertEqual(error.localizedDescription, "the request timed out; the session is kept, retry later")
        }
    }

    func testANegativeIdIsRefusedBeforeAnythingIsSent() async throws {
        let catalog = try CoCartClient(storeURL: mock.baseURL).catalog()
        try await mock.clearJournal()
        do {
            _ = try await catalog.product(product: productId(-1))
            XCTFail("a negative id must be refused")
        } catch CoCartError.Validation(let code, _, let kind, let status) {
            XCTAssertEqual(code, "invalid_argument")
            XCTAssertEqual(kind, .invalidParameter)
            XCTAssertNil(status)
        }
        let journal = try await mock.journal()
        XCTAssertTrue(journal.isEmpty)
    }

    func testAuthStatesFollowSignInAndSignOut() async throws {
        let client = try CoCartClient(config: config(), sessionStore: nil)
        // A state stream keeps only the newest value: read it step by step.
        var states = try client.authStates().makeAsyncIterator()
        let first = await states.next()
        XCTAssertEqual(first, .signedOut(reason: nil))
        let user = try await client.login(username: Self.user, password: Self.password)
        var state = await states.next()
        while state != nil && state != .signedIn(user: user) { state = await states.next() }
        XCTAssertEqual(state, .signedIn(user: user))
        _ = try await client.refreshIfNeeded()
        _ = try await client.logout()
        state = await states.next()
        XCTAssertEqual(state, .signedOut(reason: .loggedOut), "a token refresh is not a state")
    }

    func testAFacetQueryListsTermsAndFiltersProductsByTermRatingAndBrand() async throws {
        let catalog = try CoCartClient(storeURL: mock.baseURL).catalog()
        let attributes = try await catalog.attributes()
        let color = try XCTUnwrap(attributes.first { $0.slug == "pa_color" })
        let terms = try await catalog.attributeTerms(attributeId: color.id, query: TermQuery(hideEmpty: true))
        XCTAssertEqual(terms.terms.map(\.slug), ["blue", "green", "red"])
        XCTAssertEqual(terms.total, 3)
        let bySlug = try await catalog.attributeTerms(
            attributeId: color.id, query: TermQuery(orderby: .slug, order: .desc))
        XCTAssertEqual(bySlug.terms.map(\.slug), ["red", "green", "blue"])
        let red = try await catalog.products(query: ProductQuery(
            attributes: [AttributeFilter(attribute: "pa_color", slugs: ["red"])]))
        XCTAssertEqual(red.products.map(\.id), [101])
        let rated = try await catalog.products(query: ProductQuery(rating: [5], brands: ["mock-co"]))
        XCTAssertEqual(rated.products.map(\.id), [103])
        let hoodie = try await catalog.product(product: productId(201))
        XCTAssertEqual(hoodie.defaultAttributes["attribute_pa_size"], "small")
    }

    func testAProductsReviewsComeAsAPageAndAsEmbeddedReviews() async throws {
        let catalog = try CoCartClient(storeURL: mock.baseURL).catalog()
        let page = try await catalog.reviews(query: ReviewQuery(products: [101]))
        XCTAssertEqual(page.reviews.map(\.id), [3, 2])
        XCTAssertEqual(page.total, 2)
        XCTAssertEqual(page.totalPages, 1)
        XCTAssertFalse(page.hasNext)
        XCTAssertEqual(page.reviews[0].rating, 3)
        let oldestFirst = try await catalog.reviews(query: ReviewQuery(products: [101], orderby: .id, order: .asc))
        XCTAssertEqual(oldestFirst.reviews.map(\.id), [2, 3])
        let tee = try await catalog.productWithReviews(product: productId(101))
        XCTAssertEqual(tee.averageRating, 4.0)
        XCTAssertEqual(tee.reviewCount, 2)
        XCTAssertEqual(tee.reviews.map(\.authorName), ["Bob smith", "Alice Reviewer"])
    }
}
