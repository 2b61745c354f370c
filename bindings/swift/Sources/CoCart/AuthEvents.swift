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

    /// A client for `storeURL` with default settings, persisting the session in `sessionStore`
    /// (memory only when `nil`).
    public convenience init(storeURL: String, sessionStore: SessionStore? = nil) throws {
        try self.init(config: ClientConfig(storeUrl: storeURL), sessionStore: sessionStore)
    }
}

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
