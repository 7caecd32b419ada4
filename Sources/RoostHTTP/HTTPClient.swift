import Foundation

/// Sends HTTP requests with libcurl, the only module that does. Transfers run on the client's own
/// threads (see `CurlThreadPool`); `send` suspends without blocking Swift's cooperative pool, and
/// cancelling the calling task aborts the transfer.
///
/// Any response is returned, whatever its status; `HTTPError` means no complete response came
/// (timeout, refused or reset connection, DNS), and says whether trying again may help.
public final class HTTPClient: Sendable {
    public struct Configuration: Sendable {
        /// Longest wait for a connection (TCP and TLS).
        public var connectTimeout: Duration
        /// Longest a whole transfer may take, unless the request sets its own.
        public var requestTimeout: Duration
        /// Transfers run at once; more wait their turn.
        public var maxConcurrentTransfers: Int
        public var userAgent: String

        public init(connectTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(300),
                    maxConcurrentTransfers: Int = 16, userAgent: String = "roost") {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maxConcurrentTransfers = maxConcurrentTransfers
            self.userAgent = userAgent
        }
    }

    public let configuration: Configuration
    private let pool: CurlThreadPool

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.pool = CurlThreadPool(maxThreads: configuration.maxConcurrentTransfers)
    }

    deinit { pool.close() }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let transfer = CurlTransfer(request: request, configuration: configuration)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.continuation = continuation
                pool.submit(transfer)
            }
        } onCancel: {
            transfer.cancel()
        }
    }
}
