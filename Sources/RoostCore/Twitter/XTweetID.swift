import Foundation

/// A tweet id: a snowflake, so ids order by time and carry their creation time to the millisecond.
/// Ids travel as strings in the API (they exceed JSON's safe integers); Roost compares them as numbers.
public struct XTweetID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: Int64

    /// X's epoch for snowflake ids, in Unix milliseconds.
    static let epochMilliseconds: Int64 = 1_288_834_974_657

    public init(_ value: Int64) { self.value = value }

    public init?(_ text: String) {
        guard let value = Int64(text), value > 0 else { return nil }
        self.value = value
    }

    /// When the tweet was created, from the id alone.
    public var createdAt: Date {
        Date(timeIntervalSince1970: Double((value >> 22) + Self.epochMilliseconds) / 1000)
    }

    public var description: String { String(value) }

    public static func < (lhs: XTweetID, rhs: XTweetID) -> Bool { lhs.value < rhs.value }
}
