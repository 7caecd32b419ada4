import Foundation
import Logging
import RoostCore
import RoostHTTP

/// An S3 client over RoostHTTP: every request signed with SigV4 (real payload hash), retried with
/// backoff and jitter on throttling, server errors and broken connections, failed at once on
/// other 4xx errors with S3's own message. Operations are in `S3Client+*.swift`.
public final class S3Client: Sendable {
    public let configuration: S3Configuration
    let http: HTTPClient
    let credentials: AWSCredentialChain
    let logger: Logger
    private let endpoint: S3Endpoint
    private let signer: SigV4Signer

    public init(configuration: S3Configuration, credentials: AWSCredentialChain, http: HTTPClient,
                logger: Logger = Logger(label: "roost.s3")) {
        self.configuration = configuration
        self.credentials = credentials
        self.http = http
        self.logger = logger
        self.endpoint = S3Endpoint(configuration)
        self.signer = SigV4Signer(region: configuration.region, service: "s3")
    }

    /// One S3 call, before signing.
    struct Request: Sendable {
        var method: String
        var bucket: String?
        var key: String?
        var query: [(name: String, value: String)] = []
        var headers: HTTPHeaders = [:]
        var payload: S3Payload = .empty
        /// Makes a fresh response sink for each try (e.g. truncating the target file).
        var makeSink: (@Sendable () throws -> @Sendable (Data) throws -> Void)?

        var description: String {
            "\(method) s3://\(bucket ?? "")" + (key.map { "/\($0)" } ?? "") + (query.isEmpty ? "" : "?" + query.map(\.name).joined(separator: "&"))
        }
    }

    /// Sends `request` until it succeeds or fails for good; a 2xx response is returned, anything
    /// else thrown as `S3Error` (or `HTTPError` when no response came).
    /// `payloadSHA256` saves hashing the payload again when the caller already did.
    func send(_ request: Request, payloadSHA256: [UInt8]? = nil) async throws -> HTTPResponse {
        let payloadHash: String
        if let payloadSHA256 { payloadHash = payloadSHA256.hex } else { payloadHash = try await request.payload.digests().sha256.hex }
        let location = endpoint.locate(bucket: request.bucket, key: request.key, query: request.query)
        return try await retrying(configuration.retry, decide: Self.decide, onRetry: { attempt, error, delay in
            logger.warning("S3 request failed, retrying", metadata: [
                "request": "\(request.description)", "attempt": "\(attempt)", "error": "\(error)", "delay": "\(delay)",
            ])
        }) { _ in
            var headers = request.headers
            headers["Host"] = location.host
            let signed = signer.sign(SigV4Signer.Request(method: request.method, path: location.path, query: request.query,
                                                         headers: headers, payloadHash: payloadHash),
                                     credentials: try await credentials.credentials(), at: Date(), addsContentHash: true)
            let response = try await http.send(HTTPRequest(method: request.method, url: location.url, headers: signed.headers,
                                                           body: request.payload.httpBody, responseSink: try request.makeSink?()))
            guard response.isSuccess else { throw S3Error(response: response, operation: request.description) }
            return response
        }
    }

    static func decide(_ error: any Error) -> RetryDecision {
        switch error {
        case let error as S3Error: error.isRetryable ? .retry : .fail
        case let error as HTTPError: error.isRetryable ? .retry : .fail
        default: .fail
        }
    }

    /// S3 reports some failures (CompleteMultipartUpload, CopyObject) as 200 with an `<Error>` body.
    func document(_ response: HTTPResponse, _ request: Request) throws -> XMLTree {
        let root = try XMLTree.parse(response.body)
        if root.name == "Error" { throw S3Error(response: response, operation: request.description) }
        return root
    }
}
