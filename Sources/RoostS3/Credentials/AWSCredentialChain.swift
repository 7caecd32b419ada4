import Foundation
import RoostHTTP
import Synchronization

/// Finds credentials the way the AWS CLI does: environment, shared files, instance profile. The
/// first source that has them wins; they are kept until `refreshWindow` before they expire, then
/// looked up again.
public final class AWSCredentialChain: Sendable {
    public let sources: [any CredentialSource]
    public let refreshWindow: Duration
    private let now: @Sendable () -> Date
    private let cached = Mutex<AWSCredentials?>(nil)

    public init(sources: [any CredentialSource], refreshWindow: Duration = .seconds(300),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.sources = sources
        self.refreshWindow = refreshWindow
        self.now = now
    }

    /// The AWS CLI's order for this process's environment.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment,
                                http: HTTPClient) -> AWSCredentialChain {
        AWSCredentialChain(sources: [
            EnvironmentCredentials(environment: environment),
            SharedFileCredentials(files: SharedConfigFiles(environment: environment)),
            InstanceMetadataCredentials(environment: environment, http: http),
        ])
    }

    public func credentials() async throws -> AWSCredentials {
        if let current = cached.withLock({ $0 }), !needsRefresh(current) { return current }
        for source in sources {
            if let found = try await source.load() {
                cached.withLock { $0 = found }
                return found
            }
        }
        throw AWSCredentialError("no AWS credentials found; looked in: \(sources.map(\.name).joined(separator: ", "))")
    }

    private func needsRefresh(_ credentials: AWSCredentials) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return now().addingTimeInterval(Double(refreshWindow.components.seconds)) >= expiration
    }
}
