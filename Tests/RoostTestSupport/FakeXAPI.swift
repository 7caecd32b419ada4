import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The fake X API v2 server (Tests/servers/fake_x_api.py) on a free loopback port, one per test.
/// A test sets its data and faults with `scenario`, and reads back what was asked with `requests`.
public final class FakeXAPI: Sendable {
    public static let token = "fake-x-bearer-0123456789abcdef"

    /// One request the server received.
    public struct Request: Sendable, Decodable {
        public let method: String
        public let path: String
        public let query: [String: String]
        public let status: Int
        /// ok, wrong or missing: how the Authorization header compared with the expected token.
        public let auth: String
        public let at: Double
        /// Stream connections: their number (from 0) and when the server ended them.
        public let connection: Int?
        public let endedAt: Double?

        enum CodingKeys: String, CodingKey {
            case method, path, query, status, auth, at, connection
            case endedAt = "ended_at"
        }
    }

    /// One tweet the filtered stream sent.
    public struct StreamedTweet: Sendable, Decodable {
        public let id: String
        public let at: Double
        public let connection: Int
        /// A repeat of a tweet sent before, as the real stream may send after a reconnect.
        public let resent: Bool?
    }

    private let server: ServerProcess
    public var baseURL: URL { server.baseURL }

    public init() async throws {
        server = try await ServerProcess.python("fake_x_api.py")
    }

    /// Replaces the server's state. `scenario` is the JSON object fake_x_api.py documents; the token
    /// defaults to `FakeXAPI.token`.
    public func scenario(_ scenario: [String: Any]) async throws {
        var body = scenario
        if body["token"] == nil { body["token"] = Self.token }
        try await post("/_admin/scenario", body)
    }

    /// Adds tweets (`["generate": …]` or `["tweets": […]]`) without resetting anything else.
    public func addTweets(_ body: [String: Any]) async throws {
        try await post("/_admin/tweets", body)
    }

    public func requests() async throws -> [Request] {
        let (data, _) = try await URLSession.shared.data(from: baseURL.appendingPathComponent("_admin/requests"))
        struct Log: Decodable { let requests: [Request] }
        return try JSONDecoder().decode(Log.self, from: data).requests
    }

    public func streamedTweets() async throws -> [StreamedTweet] {
        let (data, _) = try await URLSession.shared.data(from: baseURL.appendingPathComponent("_admin/stream"))
        struct Log: Decodable { let sent: [StreamedTweet] }
        return try JSONDecoder().decode(Log.self, from: data).sent
    }

    private func post(_ path: String, _ body: [String: Any]) async throws {
        var request = URLRequest(url: baseURL.appendingPathComponent(path))
        request.httpMethod = "POST"
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (_, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw TestSupportError("fake X API refused \(path)") }
    }
}
