import Foundation

/// An access key, its secret and, for temporary credentials, a session token and expiry.
/// Printing shows the key id only: secrets never reach a log or an error.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let sessionToken: String?
    public let expiration: Date?
    /// Where they came from ("environment", "shared credentials file, profile dev", "instance profile").
    public let source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil,
                source: String) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken.flatMap { $0.isEmpty ? nil : $0 }
        self.expiration = expiration
        self.source = source
    }

    public var description: String { "AWS credentials \(accessKeyID) from \(source)" }
    public var debugDescription: String { description }
}
