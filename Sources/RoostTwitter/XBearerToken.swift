/// The app-only bearer token. It prints as `<redacted>` wherever it is interpolated, dumped or
/// reflected; only `authorizationHeader` reveals it, for the request itself.
public struct XBearerToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String
    /// Where it came from (`twitter.bearer_token from X_BEARER_TOKEN`), for errors that must say
    /// which credential is wrong without showing it.
    public let origin: String

    public init(_ value: String, origin: String) {
        self.value = value
        self.origin = origin
    }

    public var isEmpty: Bool { value.isEmpty }
    var authorizationHeader: String { "Bearer \(value)" }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: ["origin": origin]) }
}
