import Foundation
import RoostHTTP

/// An error response from S3, with S3's own code and message.
public struct S3Error: Error, CustomStringConvertible, Sendable, Equatable {
    public let status: Int
    public let code: String
    public let message: String
    public let requestID: String?
    /// What was asked, e.g. "PUT s3://bucket/key".
    public let operation: String

    public var description: String {
        "\(operation) failed: \(code) (HTTP \(status)): \(message)" + (requestID.map { " [request id \($0)]" } ?? "")
    }

    /// Server trouble and throttling are worth another try; client errors (4xx) are not.
    public var isRetryable: Bool {
        [500, 502, 503, 504].contains(status) || ["SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable"].contains(code)
    }

    public init(status: Int, code: String, message: String, requestID: String?, operation: String) {
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
        self.operation = operation
    }

    /// Reads S3's XML `<Error>` (or, for bodiless responses such as HEAD, the status alone).
    init(response: HTTPResponse, operation: String) {
        let root = try? XMLTree.parse(response.body)
        let error = root?.name == "Error" ? root : nil
        status = response.status
        code = error?["Code"] ?? Self.codeForStatus(response.status)
        message = error?["Message"] ?? (response.body.isEmpty ? "no error details (HTTP \(response.status))"
                                                              : String(decoding: response.body.prefix(300), as: UTF8.self))
        requestID = error?["RequestId"] ?? response.headers["x-amz-request-id"]
        self.operation = operation
    }

    private static func codeForStatus(_ status: Int) -> String {
        switch status {
        case 301: "PermanentRedirect"
        case 400: "BadRequest"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 412: "PreconditionFailed"
        case 503: "ServiceUnavailable"
        default: "HTTP\(status)"
        }
    }
}
