import Foundation

/// An object as S3 describes it (HEAD, GET, listings).
public struct S3Object: Sendable, Equatable {
    public let key: String
    public let size: UInt64
    public let etag: String
    public let lastModified: Date?

    public init(key: String, size: UInt64, etag: String, lastModified: Date?) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// What an upload produced.
public struct S3PutResult: Sendable, Equatable {
    public let etag: String
    /// Base64 SHA-256 of the whole object for single uploads (S3 verified it); for multipart
    /// uploads in S3's composite form (SHA-256 of the parts' SHA-256s, then "-<parts>"), computed
    /// here from the SHA-256s each part was signed with (S3 stores a composite CRC-32 instead).
    public let checksumSHA256: String
    public let size: UInt64
    public let parts: Int
}

/// One page of ListObjectsV2.
public struct S3ListPage: Sendable {
    public let objects: [S3Object]
    public let commonPrefixes: [String]
    /// Pass to the next call to continue; nil on the last page.
    public let nextContinuationToken: String?
}

extension S3Object {
    init(listEntry entry: XMLTree) {
        self.init(key: entry["Key"] ?? "", size: UInt64(entry["Size"] ?? "") ?? 0, etag: Self.unquoted(entry["ETag"] ?? ""),
                  lastModified: entry["LastModified"].flatMap(Self.parseISO8601))
    }

    static func unquoted(_ etag: String) -> String { etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }

    static func parseISO8601(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}
