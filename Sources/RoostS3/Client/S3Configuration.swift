import Foundation
import RoostCore

/// How the client reaches S3 and writes objects.
public struct S3Configuration: Sendable {
    /// An S3-compatible endpoint (MinIO, moto, …); nil for AWS (`https://s3.<region>.amazonaws.com`).
    public var endpoint: URL?
    public var region: String
    /// `https://host/bucket/key` instead of `https://bucket.host/key`.
    public var pathStyle: Bool
    public var serverSideEncryption: ServerSideEncryption?
    public var retry: Backoff
    /// Objects of at least this many bytes go up in parts.
    public var multipartThreshold: Int
    /// Bytes per part (S3's minimum is 5 MiB, except for the last part).
    public var partSize: Int
    /// Parts in flight at once.
    public var partConcurrency: Int

    public static let minimumPartSize = 5 * 1024 * 1024

    public init(endpoint: URL? = nil, region: String, pathStyle: Bool = false, serverSideEncryption: ServerSideEncryption? = nil,
                retry: Backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(20), maxAttempts: 5),
                multipartThreshold: Int = 16 * 1024 * 1024, partSize: Int = 8 * 1024 * 1024, partConcurrency: Int = 4) {
        self.endpoint = endpoint
        self.region = region
        self.pathStyle = pathStyle
        self.serverSideEncryption = serverSideEncryption
        self.retry = retry
        self.multipartThreshold = multipartThreshold
        self.partSize = max(partSize, Self.minimumPartSize)
        self.partConcurrency = max(1, partConcurrency)
    }
}

public enum ServerSideEncryption: Sendable, Equatable {
    case aes256
    case kms(keyID: String?)

    /// Parses the config values `s3.sse` and `s3.sse_kms_key_id`; nil for no encryption header.
    public init?(setting: String, kmsKeyID: String) throws {
        switch setting {
        case "": return nil
        case "AES256": self = .aes256
        case "aws:kms": self = .kms(keyID: kmsKeyID.isEmpty ? nil : kmsKeyID)
        default: throw S3ConfigurationError("s3.sse must be empty, AES256 or aws:kms, not \(setting)")
        }
    }

    var headers: [(String, String)] {
        switch self {
        case .aes256: [("x-amz-server-side-encryption", "AES256")]
        case .kms(let keyID):
            [("x-amz-server-side-encryption", "aws:kms")] + (keyID.map { [("x-amz-server-side-encryption-aws-kms-key-id", $0)] } ?? [])
        }
    }
}

public struct S3ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
