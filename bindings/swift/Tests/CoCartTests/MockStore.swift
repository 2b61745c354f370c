import Foundation
import XCTest

/// A real `cocart-mock` process on 127.0.0.1 (`--port 0`), with its `/__mock/` controls. The
/// binary comes from the `COCART_MOCK_BIN` environment variable.
final class MockStore: @unchecked Sendable {
    static let refreshPath = "/wp-json/cocart/jwt/refresh-token"

    struct JournalEntry: Decodable {
        let method: String
        let path: String
        let status: Int
    }

    enum Failure: Error {
        case noBinary
        case noURL(String)
        case http(String)
    }

    private let process = Process()
    let baseURL: String

    init(arguments: [String] = []) throws {
        guard let bin = ProcessInfo.processInfo.environment["COCART_MOCK_BIN"] else {
            throw Failure.noBinary
        }
        process.executableURL = URL(fileURLWithPath: bin)
        process.arguments = ["--port", "0"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let handle = pipe.fileHandleForReading
        var data = Data()
        while !data.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        let firstLine = String(decoding: data, as: UTF8.self)
            .split(separator: "\n").first.map(String.init) ?? ""
        guard let range = firstLine.range(of: #"http://127\.0\.0\.1:\d+"#, options: .regularExpression)
        else {
            process.terminate()
            throw Failure.noURL(firstLine)
        }
        baseURL = String(firstLine[range])
        // Keep draining stdout so that the process never blocks on a full pipe.
        handle.readabilityHandler = { h in _ = h.availableData }
    }

    @discardableResult
    private func send(_ method: String, _ path: String, _ body: String? = nil) async throws -> Data {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body?.data(using: .utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse, (200..<300).contains(http.statusCode) else {
            throw Failure.http("\(method) \(path): \(String(decoding: data, as: UTF8.self))")
        }
        return data
    }

    func reset() async throws { try await send("POST", "/__mock/reset") }

    func advanceClock(_ seconds: Int64) async throws {
        try await send("POST", "/__mock/clock", #"{"advance":\#(seconds)}"#)
    }

    func addFault(_ json: String) async throws { try await send("POST", "/__mock/faults", json) }

    func clearJournal() async throws { try await send("DELETE", "/__mock/journal") }

    func journal() async throws -> [JournalEntry] {
        let data = try await send("GET", "/__mock/journal")
        return try JSONDecoder().decode([JournalEntry].self, from: data)
    }

    func refreshStatuses() async throws -> [Int] {
        try await journal().filter { $0.path == Self.refreshPath }.map(\.status)
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
