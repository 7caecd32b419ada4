import Foundation

/// One X API v2 response body, decoded without loss: every tweet and user is kept as the JSON the
/// API sent (`JSONValue`), so fields Roost does not model still reach Kafka. Typed views
/// (`XTweet`, `XUser`) read from those values.
public struct XPage: Sendable, Decodable {
    /// Tweets, or users for a user lookup; a single-object `data` is read as a list of one.
    public var data: [JSONValue]
    public var includedUsers: [JSONValue]
    public var meta: XPageMeta
    /// Partial errors of a 200 response (an unknown username, a deleted tweet): logged and counted.
    public var errors: [XProblem]

    enum CodingKeys: String, CodingKey { case data, includes, meta, errors }
    struct Includes: Decodable { var users: [JSONValue]? }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decodeIfPresent(JSONValue.self, forKey: .data) {
        case .array(let items)?: data = items
        case nil, .null?: data = []
        case let single?: data = [single]
        }
        includedUsers = try container.decodeIfPresent(Includes.self, forKey: .includes)?.users ?? []
        meta = try container.decodeIfPresent(XPageMeta.self, forKey: .meta) ?? XPageMeta()
        errors = try container.decodeIfPresent([XProblem].self, forKey: .errors) ?? []
    }

    /// Decodes a body; a malformed one gives an error naming `what` (endpoint and page).
    public static func decode(_ body: Data, what: String) throws -> XPage {
        try decoding(body, what: what) { try JSONDecoder().decode(XPage.self, from: $0) }
    }

    /// Decodes a saved file: one response body, or a list of recorded exchanges whose `body` is
    /// one (`[{"method", "path", "query", "status", "headers", "body"}]`, as in the test recordings).
    public static func decodeSaved(_ file: Data, what: String) throws -> [XPage] {
        struct Exchange: Decodable { let body: XPage }
        let isList = file.first { !$0.isASCIIWhitespace } == UInt8(ascii: "[")
        return try decoding(file, what: what) { data in
            isList ? try JSONDecoder().decode([Exchange].self, from: data).map(\.body) : [try JSONDecoder().decode(XPage.self, from: data)]
        }
    }

    private static func decoding<T>(_ data: Data, what: String, _ body: (Data) throws -> T) throws -> T {
        do {
            return try body(data)
        } catch let error as DecodingError {
            throw XDecodeError(what: what, reason: error.briefDescription, bytes: data.count)
        }
    }
}

/// `meta` of a paginated response.
public struct XPageMeta: Sendable, Decodable, Equatable {
    public var resultCount: Int?
    public var newestID: String?
    public var oldestID: String?
    public var nextToken: String?

    public init(resultCount: Int? = nil, newestID: String? = nil, oldestID: String? = nil, nextToken: String? = nil) {
        self.resultCount = resultCount
        self.newestID = newestID
        self.oldestID = oldestID
        self.nextToken = nextToken
    }

    enum CodingKeys: String, CodingKey {
        case resultCount = "result_count", newestID = "newest_id", oldestID = "oldest_id", nextToken = "next_token"
    }
}

/// An entry of the API's `errors` array, or a problem body of a failed request (RFC 7807 style).
public struct XProblem: Sendable, Decodable, Equatable, CustomStringConvertible {
    public var title: String?
    public var detail: String?
    public var type: String?
    public var message: String?
    public var value: String?

    public init(title: String? = nil, detail: String? = nil, type: String? = nil, message: String? = nil, value: String? = nil) {
        self.title = title
        self.detail = detail
        self.type = type
        self.message = message
        self.value = value
    }

    public var description: String {
        [title, detail ?? message].compactMap { $0 }.joined(separator: ": ")
    }
}

/// A response body that is not the JSON the endpoint promises.
public struct XDecodeError: Error, CustomStringConvertible, Sendable {
    public let what: String
    public let reason: String
    public let bytes: Int
    public var description: String { "malformed JSON from \(what) (\(bytes) bytes): \(reason)" }
}

extension UInt8 {
    var isASCIIWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}

extension DecodingError {
    /// The reason and where in the document, without the value itself.
    var briefDescription: String {
        func path(_ context: Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? "" : " at \(path)"
        }
        switch self {
        case .dataCorrupted(let context): return "\(context.debugDescription)\(path(context))"
        case .keyNotFound(let key, let context): return "missing \(key.stringValue)\(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(context.debugDescription)\(path(context))"
        @unknown default: return "\(self)"
        }
    }
}
