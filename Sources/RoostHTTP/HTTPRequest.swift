import Foundation

/// One HTTP request. Bodies are read while the request is sent, so a file of any size never sits
/// in memory; `.data` and `.file` bodies can be sent again (retries), `.stream` only once.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: HTTPHeaders
    public var body: Body
    /// Receives the body of a 2xx response chunk by chunk, on the transfer's thread, instead of
    /// collecting it in `HTTPResponse.body`. Other statuses are still collected, so errors can be
    /// read. Throwing aborts the transfer and `send` rethrows the error.
    public var responseSink: (@Sendable (Data) throws -> Void)?
    /// Overrides the client's total timeout for this request (e.g. a long upload).
    public var timeout: Duration?

    public init(method: String = "GET", url: URL, headers: HTTPHeaders = [:], body: Body = .empty,
                responseSink: (@Sendable (Data) throws -> Void)? = nil, timeout: Duration? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.responseSink = responseSink
        self.timeout = timeout
    }

    public enum Body: Sendable {
        case empty
        case data(Data)
        /// `length` bytes of the file from `offset`; `nil` reads to the end of the file.
        case file(path: String, offset: UInt64 = 0, length: UInt64? = nil)
        /// Chunks from `next` until it returns nil; sent chunked when `length` is nil.
        case stream(length: UInt64?, next: @Sendable () throws -> Data?)
    }
}
