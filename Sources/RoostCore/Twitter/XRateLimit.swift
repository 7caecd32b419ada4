import Foundation

/// The rate-limit window an X API response reports in `x-rate-limit-limit/remaining/reset`.
public struct XRateLimit: Sendable, Equatable {
    public var limit: Int
    public var remaining: Int
    /// When the window resets (the header is in whole Unix seconds).
    public var reset: Date

    public init(limit: Int, remaining: Int, reset: Date) {
        self.limit = limit
        self.remaining = remaining
        self.reset = reset
    }

    /// Nil unless all three headers are present and numeric; header names are case-insensitive.
    public init?(headers: [String: String]) {
        func value(_ name: String) -> Int? {
            headers.first { $0.key.lowercased() == name }.flatMap { Int($0.value.trimmingCharacters(in: .whitespaces)) }
        }
        guard let limit = value("x-rate-limit-limit"), let remaining = value("x-rate-limit-remaining"),
              let reset = value("x-rate-limit-reset") else { return nil }
        self.init(limit: limit, remaining: remaining, reset: Date(timeIntervalSince1970: Double(reset)))
    }
}
