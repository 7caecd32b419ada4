import Foundation

/// One X API v2 response body, decoded without loss: every tweet and user is kept as the bytes the
/// API sent (`XRawObject`), so everything it returned, fields Roost does not model included, reaches
/// Kafka as it was. `meta` and `errors` are read in full.
public struct XPage: Sendable {
    /// Tweets, or users for a user lookup; a single-object `data` is read as a list of one.
    public var data: [XRawObject] = []
    public var includedUsers: [XRawObject] = []
    public var meta = XPageMeta()
    /// Partial errors of a 200 response (an unknown username, a deleted tweet): logged and counted.
    public var errors: [XProblem] = []

    public init(data: [XRawObject] = [], includedUsers: [XRawObject] = [], meta: XPageMeta = XPageMeta(), errors: [XProblem] = []) {
        self.data = data
        self.includedUsers = includedUsers
        self.meta = meta
        self.errors = errors
    }

    /// Reads the body object that comes next; a part of the wrong type is an error naming it.
    init(parser: inout JSONTextParser) throws {
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "{") else {
            throw XShapeError("the body is not a JSON object")
        }
        try parser.members { key, parser in
            switch key {
            case "data":
                parser.skipWhitespace()
                if parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "[") {
                    try parser.elements { data.append(try $0.rawObject()) }
                } else if try parser.isNull() {
                    data = []
                } else {
                    data = [try parser.rawObject()]
                }
            case "includes":
                try parser.members { key, parser in
                    if key == "users" { try parser.elements { includedUsers.append(try $0.rawObject()) } } else { try parser.skipValue(depth: 2) }
                }
            case "meta":
                meta = try XPageMeta(json: try parser.value(depth: 1))
            case "errors":
                guard case .array(let items) = try parser.value(depth: 1) else { throw XShapeError("errors is not a list") }
                errors = items.map(XProblem.init(json:))
            default:
                try parser.skipValue(depth: 1)
            }
        }
    }

    /// Decodes a body; a malformed one gives an error naming `what` (endpoint and page).
    public static func decode(_ body: Data, what: String) throws(XDecodeError) -> XPage {
        try decoding(body, what: what) { parser in try XPage(parser: &parser) }
    }

    /// Decodes a saved file: one response body, or a list of recorded exchanges whose `body` is
    /// one (`[{"method", "path", "query", "status", "headers", "body"}]`, as in the test recordings).
    public static func decodeSaved(_ file: Data, what: String) throws(XDecodeError) -> [XPage] {
        try decoding(file, what: what) { parser in
            parser.skipWhitespace()
            guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "[") else {
                return [try XPage(parser: &parser)]
            }
            var pages: [XPage] = []
            try parser.elements { parser in
                var page: XPage?
                try parser.members { key, parser in
                    if key == "body" { page = try XPage(parser: &parser) } else { try parser.skipValue(depth: 2) }
                }
                guard let page else { throw XShapeError("a recorded exchange has no body") }
                pages.append(page)
            }
            return pages
        }
    }

    private static func decoding<T>(_ data: Data, what: String, _ read: (inout JSONTextParser) throws -> T) throws(XDecodeError) -> T {
        do {
            return try data.withUnsafeBytes { raw in
                var parser = JSONTextParser(bytes: raw.bindMemory(to: UInt8.self))
                let result = try read(&parser)
                parser.skipWhitespace()
                guard parser.index == parser.bytes.count else { throw parser.failure("unexpected text after the JSON value") }
                return result
            }
        } catch {
            throw XDecodeError(what: what, reason: "\(error)", bytes: data.count)
        }
    }
}

/// A part of a response that is not the type the API promises.
public struct XShapeError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// `meta` of a paginated response.
public struct XPageMeta: Sendable, Equatable {
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

    init(json: JSONValue) throws(XShapeError) {
        guard json != .null else { return }
        guard json.objectValue != nil else { throw XShapeError("meta is not an object") }
        func string(_ key: String) throws(XShapeError) -> String? {
            guard let value = json[key], value != .null else { return nil }
            guard let text = value.stringValue else { throw XShapeError("meta.\(key) is not a string") }
            return text
        }
        if let count = json["result_count"], count != .null {
            guard let number = count.intValue else { throw XShapeError("meta.result_count is not a whole number") }
            resultCount = Int(number)
        }
        newestID = try string("newest_id")
        oldestID = try string("oldest_id")
        nextToken = try string("next_token")
    }
}

/// An entry of the API's `errors` array, or a problem body of a failed request (RFC 7807 style).
public struct XProblem: Sendable, Equatable, CustomStringConvertible {
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

    /// Reads what it can: a problem with odd fields is still worth reporting.
    public init(json: JSONValue) {
        self.init(title: json["title"]?.stringValue, detail: json["detail"]?.stringValue, type: json["type"]?.stringValue,
                  message: json["message"]?.stringValue, value: json["value"]?.stringValue)
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
