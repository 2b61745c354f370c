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
        } catch CoCartError.Validation(let code, let message, let kind) {
            XCTAssertEqual(code, "cocart_product_out_of_stock")
            XCTAssertEqual(kind, .outOfStock)
            XCTAssertFalse(message.isEmpty)
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
}
