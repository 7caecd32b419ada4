import Foundation

/// A tweet or user object exactly as the API sent it: its bytes, untouched, and the few ids Roost
/// reads from it. Keeping bytes rather than a parsed tree loses nothing (not even key order or
/// number spelling) and is what makes decoding fast: only `id` and `author_id` are ever read.
public struct XRawObject: Sendable, Hashable {
    public let json: Data
    public let id: String?
    public let authorID: String?

    public init(json: Data, id: String?, authorID: String?) {
        self.json = json
        self.id = id
        self.authorID = authorID
    }

    /// The object parsed, for the rare reader that needs more (user lookups, tests).
    public var value: JSONValue { (try? JSONValue.parse(json)) ?? .null }
}

extension JSONTextParser {
    /// Steps over the value that comes next, keeping its bytes and, when it is an object, its
    /// top-level `id` and `author_id` strings.
    mutating func rawObject() throws -> XRawObject {
        skipWhitespace()
        let start = index
        var id: String?
        var authorID: String?
        if index < bytes.count, bytes[index] == UInt8(ascii: "{") {
            index += 1
            if !take(UInt8(ascii: "}")) {
                repeat {
                    let key = try skipKey()
                    if let key, key.elementsEqual("id".utf8) {
                        id = try optionalString()
                    } else if let key, key.elementsEqual("author_id".utf8) {
                        authorID = try optionalString()
                    } else {
                        try skipValue(depth: 1)
                    }
                } while take(UInt8(ascii: ","))
                try expect(UInt8(ascii: "}"), "',' or '}'")
            }
        } else {
            try skipValue()
        }
        return XRawObject(json: Data(UnsafeBufferPointer(rebasing: bytes[start..<index])), id: id, authorID: authorID)
    }

    /// The next value when it is a string; any other value is stepped over.
    private mutating func optionalString() throws -> String? {
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") { return try string() }
        try skipValue(depth: 1)
        return nil
    }
}
