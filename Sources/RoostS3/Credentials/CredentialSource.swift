/// One place credentials may come from. `load` returns nil when the source is not configured
/// (the chain then asks the next) and throws when it is configured but wrong.
public protocol CredentialSource: Sendable {
    var name: String { get }
    func load() async throws -> AWSCredentials?
}

/// Credentials missing or unusable. Never contains a secret.
public struct AWSCredentialError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
