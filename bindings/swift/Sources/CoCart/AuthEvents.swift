// A thin Swift layer over the generated bindings.

import Foundation

/// Forwards auth events into an `AsyncStream`.
private final class StreamListener: AuthEventListener, @unchecked Sendable {
    private let continuation: AsyncStream<AuthEvent>.Continuation

    init(_ continuation: AsyncStream<AuthEvent>.Continuation) {
        self.continuation = continuation
    }

    func onEvent(event: AuthEvent) {
        continuation.yield(event)
    }
}

extension CoCartClient {
    /// The client's auth events as an `AsyncStream`. The first event is `.initialSession`;
    /// ending the iteration (or cancelling its task) cancels the subscription.
    ///
    /// ```swift
    /// for await event in try client.authEvents() {
    ///     if case .signedOut = event { showLogin() }
    /// }
    /// ```
    public func authEvents() throws -> AsyncStream<AuthEvent> {
        var captured: AsyncStream<AuthEvent>.Continuation?
        let stream = AsyncStream(AuthEvent.self, bufferingPolicy: .bufferingNewest(64)) {
            captured = $0
        }
        guard let continuation = captured else {
            throw CoCartError.Unexpected(detail: "AsyncStream did not provide its continuation")
        }
        let subscription = try subscribe(listener: StreamListener(continuation))
        continuation.onTermination = { _ in subscription.cancel() }
        return stream
    }

    /// Whether a customer is signed in, as an `AsyncStream`: the first value is the state now,
    /// then one value per sign-in and sign-out (a token refresh does not change it). Ending the
    /// iteration cancels the subscription. (The Kotlin layer offers a `StateFlow` instead.)
    public func authStates() throws -> AsyncStream<AuthState> {
        let events = try authEvents()
        return AsyncStream(AuthState.self, bufferingPolicy: .bufferingNewest(1)) { continuation in
            let task = Task {
                for await event in events {
                    switch event {
                    case .initialSession(let user):
                        continuation.yield(user.map { AuthState.signedIn(user: $0) } ?? .signedOut(reason: nil))
                    case .signedIn(let user):
                        continuation.yield(.signedIn(user: user))
                    case .signedOut(let reason):
                        continuation.yield(.signedOut(reason: reason))
                    case .tokenRefreshed:
                        continue
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// A client for `storeURL` with default settings, persisting the session in `sessionStore`
    /// (memory only when `nil`).
    public convenience init(storeURL: String, sessionStore: SessionStore? = nil) throws {
        try self.init(config: ClientConfig(storeUrl: storeURL), sessionStore: sessionStore)
    }
}

/// Whether a customer is signed in: the values of `CoCartClient.authStates()`.
public enum AuthState: Equatable {
    /// A customer is signed in.
    case signedIn(user: User)
    /// Nobody is signed in; `reason` says why the last session ended (`nil`: none ended yet).
    case signedOut(reason: SignOutReason?)
}

/// A product by id, e.g. `productId(101)` (as in Kotlin).
public func productId(_ id: Int64) -> ProductRef {
    .id(id: id)
}

/// A product by SKU, e.g. `productSku("MOCK-TSHIRT")` (as in Kotlin).
public func productSku(_ sku: String) -> ProductRef {
    .sku(sku: sku)
}

// uniffi 0.32 generates `description` from the error's exported Rust `Display` but does not
// declare the conformance on errors; with it, `String(reflecting:)`, and so the generated
// `errorDescription` and `localizedDescription`, give that sentence (the store's text, its code
// and the HTTP status) instead of the enum dump.
extension CoCartError: CustomStringConvertible {}

/// The old name of `SessionStore`.
@available(*, deprecated, renamed: "SessionStore")
public typealias TokenStore = SessionStore

/// The old name of `CatalogApi`.
@available(*, deprecated, renamed: "CatalogApi")
public typealias StoreApi = CatalogApi

extension CoCartClient {
    /// The old name of `catalog()`.
    @available(*, deprecated, renamed: "catalog()")
    public func store() -> CatalogApi {
        catalog()
    }
}

extension CatalogApi {
    /// The old name of `storeInfo()`.
    @available(*, deprecated, renamed: "storeInfo()")
    public func info() async throws -> StoreInfo {
        try await storeInfo()
    }
}
