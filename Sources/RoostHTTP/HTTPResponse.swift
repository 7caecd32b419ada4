import Foundation

public struct HTTPResponse: Sendable {
    public let status: Int
    public let headers: HTTPHeaders
    /// The body, unless it went to the request's `responseSink` (then empty).
    public let body: Data

    public init(status: Int, headers: HTTPHeaders, body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
}
