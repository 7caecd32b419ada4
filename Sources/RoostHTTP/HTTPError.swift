import CCurl
import Foundation

/// A transfer that got no complete HTTP response. (A response with any status is not an error
/// here: callers decide what a 404 or 503 means.)
public struct HTTPError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        case timeout = "timed out"
        case dns = "could not resolve host"
        case connectionRefused = "connection refused"
        /// The connection broke mid-transfer, or the server closed it without a response.
        case connectionReset = "connection reset"
        case tls = "TLS failure"
        case invalidRequest = "invalid request"
        case other = "transfer failed"
    }

    public let kind: Kind
    public let method: String
    /// Scheme, host and path only: query strings may carry signatures or tokens.
    public let target: String
    /// libcurl's own words, for the log.
    public let detail: String

    public init(kind: Kind, method: String, url: URL, detail: String) {
        self.kind = kind
        self.method = method
        self.target = Self.redacted(url)
        self.detail = detail
    }

    /// Whether sending the same request again may succeed: the network, not the request, failed.
    public var isRetryable: Bool {
        switch kind {
        case .timeout, .dns, .connectionRefused, .connectionReset: true
        case .tls, .invalidRequest, .other: false
        }
    }

    public var description: String { "\(method) \(target): \(kind.rawValue) (\(detail))" }

    static func redacted(_ url: URL) -> String {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        components?.query = nil
        components?.user = nil
        components?.password = nil
        return components?.string ?? "<invalid URL>"
    }

    static func kind(of code: CURLcode) -> Kind {
        switch code {
        case CURLE_OPERATION_TIMEDOUT: .timeout
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .dns
        case CURLE_COULDNT_CONNECT: .connectionRefused
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2,
             CURLE_HTTP2_STREAM:
            .connectionReset
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE:
            .tls
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT: .invalidRequest
        default: .other
        }
    }
}
