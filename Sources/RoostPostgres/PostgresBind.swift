import Foundation

/// One query parameter in PostgreSQL's text format, with its type OID (0 lets the server infer it).
public struct PostgresBind: Sendable, Hashable {
    public var text: String?
    public var typeOID: UInt32

    public init(text: String?, typeOID: UInt32 = 0) {
        self.text = text
        self.typeOID = typeOID
    }

    public static let null = PostgresBind(text: nil)
}

/// A Swift value that can be sent as a query parameter.
public protocol PostgresEncodable: Sendable {
    var postgresBind: PostgresBind { get }
}

/// Type OIDs from `pg_type` that Roost sends or decodes.
public enum PostgresType {
    public static let bool: UInt32 = 16
    public static let bytea: UInt32 = 17
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let json: UInt32 = 114
    public static let float8: UInt32 = 701
    public static let varchar: UInt32 = 1043
    public static let timestamptz: UInt32 = 1184
    public static let uuid: UInt32 = 2950
    public static let jsonb: UInt32 = 3802
    public static let textArray: UInt32 = 1009
    public static let int8Array: UInt32 = 1016
    public static let int4Array: UInt32 = 1007
    public static let uuidArray: UInt32 = 2951
    public static let timestamptzArray: UInt32 = 1185
    public static let boolArray: UInt32 = 1000
}

extension String: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: self, typeOID: PostgresType.text) }
}
extension Int: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self), typeOID: PostgresType.int8) }
}
extension Int64: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self), typeOID: PostgresType.int8) }
}
extension Int32: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self), typeOID: PostgresType.int4) }
}
extension Double: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: String(self), typeOID: PostgresType.float8) }
}
extension Bool: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: self ? "t" : "f", typeOID: PostgresType.bool) }
}
extension UUID: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: uuidString.lowercased(), typeOID: PostgresType.uuid) }
}
extension Date: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(text: PostgresTimestamp.format(self), typeOID: PostgresType.timestamptz) }
}
extension Data: PostgresEncodable {
    public var postgresBind: PostgresBind {
        PostgresBind(text: "\\x" + map { String(format: "%02x", $0) }.joined(), typeOID: PostgresType.bytea)
    }
}
extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresBind: PostgresBind {
        switch self {
        case .some(let value): value.postgresBind
        case .none: .null
        }
    }
}

/// A JSON document sent as `jsonb` (or decoded from `json`/`jsonb`), kept as its text.
public struct PostgresJSON: PostgresEncodable, Hashable {
    public var text: String
    public init(text: String) { self.text = text }
    public init<T: Encodable>(encoding value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
    public var postgresBind: PostgresBind { PostgresBind(text: text, typeOID: PostgresType.jsonb) }
}

extension Array: PostgresEncodable where Element: PostgresEncodable {
    /// Arrays go as array literals (`{"a","b"}`); elements are quoted so any text survives.
    public var postgresBind: PostgresBind {
        let elements = map { element -> String in
            guard let text = element.postgresBind.text else { return "NULL" }
            var quoted = "\""
            for ch in text.unicodeScalars {
                if ch == "\"" || ch == "\\" { quoted.unicodeScalars.append("\\") }
                quoted.unicodeScalars.append(ch)
            }
            return quoted + "\""
        }
        let oid: UInt32 = switch Element.self {
        case is String.Type: PostgresType.textArray
        case is Int.Type, is Int64.Type: PostgresType.int8Array
        case is Int32.Type: PostgresType.int4Array
        case is UUID.Type: PostgresType.uuidArray
        case is Date.Type: PostgresType.timestamptzArray
        case is Bool.Type: PostgresType.boolArray
        default: 0
        }
        return PostgresBind(text: "{" + elements.joined(separator: ",") + "}", typeOID: oid)
    }
}
