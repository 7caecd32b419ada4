import Foundation
import RoostHTTP

/// The EC2 instance profile's role credentials through IMDSv2: a session token first (PUT), then
/// the role name and its credentials with that token. AWS_EC2_METADATA_SERVICE_ENDPOINT moves the
/// service (tests point it at a local server); AWS_EC2_METADATA_DISABLED=true turns it off.
/// Off EC2 nothing answers, which is "not configured" (nil), not an error.
public struct InstanceMetadataCredentials: CredentialSource {
    public let endpoint: URL
    public let isDisabled: Bool
    private let http: HTTPClient
    public var name: String { "instance profile (IMDSv2)" }

    public init(environment: [String: String], http: HTTPClient) {
        let configured = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].flatMap { $0.isEmpty ? nil : URL(string: $0) }
        endpoint = configured ?? URL(string: "http://169.254.169.254")!
        isDisabled = environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true"
        self.http = http
    }

    public func load() async throws -> AWSCredentials? {
        guard !isDisabled else { return nil }
        let token: String
        do {
            token = try await fetch("PUT", "latest/api/token", headers: ["X-aws-ec2-metadata-token-ttl-seconds": "21600"])
        } catch is HTTPError {
            return nil
        }
        let auth: HTTPHeaders = ["X-aws-ec2-metadata-token": token]
        let roles = try await fetch("GET", "latest/meta-data/iam/security-credentials/", headers: auth)
        guard let role = roles.split(separator: "\n").first.map(String.init), !role.isEmpty else {
            throw AWSCredentialError("the instance metadata service lists no IAM role: attach an instance profile")
        }
        let document = try await fetch("GET", "latest/meta-data/iam/security-credentials/\(role)", headers: auth)
        struct RoleCredentials: Decodable {
            let AccessKeyId: String
            let SecretAccessKey: String
            let Token: String
            let Expiration: String
        }
        guard let parsed = try? JSONDecoder().decode(RoleCredentials.self, from: Data(document.utf8)),
              let expiration = ISO8601DateFormatter().date(from: parsed.Expiration) else {
            throw AWSCredentialError("the instance metadata service returned unreadable credentials for role \(role)")
        }
        return AWSCredentials(accessKeyID: parsed.AccessKeyId, secretAccessKey: parsed.SecretAccessKey, sessionToken: parsed.Token,
                              expiration: expiration, source: "\(name), role \(role)")
    }

    private func fetch(_ method: String, _ path: String, headers: HTTPHeaders) async throws -> String {
        let response = try await http.send(HTTPRequest(method: method, url: endpoint.appending(path: path), headers: headers,
                                                       timeout: .seconds(2)))
        guard response.isSuccess else {
            throw AWSCredentialError("the instance metadata service answered \(response.status) to \(method) /\(path)")
        }
        return String(decoding: response.body, as: UTF8.self)
    }
}
