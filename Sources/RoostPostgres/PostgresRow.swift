import Foundation

/// The rows of one statement's result, copied out of libpq's `PGresult` so they can cross threads.
public struct PostgresRows: Sendable, Sequence {
    public let columns: [String]
    public let columnTypes: [UInt32]
    let cells: [[String?]]
    /// Rows changed by INSERT/UPDATE/DELETE (`PQcmdTuples`), 0 otherwise.
    public let affectedRows: Int

    public var count: Int { cells.count }
    public var isEmpty: Bool { cells.isEmpty }
    public var first: PostgresRow? { cells.isEmpty ? nil : self[0] }

    public subscript(index: Int) -> PostgresRow {
        PostgresRow(columns: columns, columnTypes: columnTypes, cells: cells[index])
    }

    public func makeIterator() -> some IteratorProtocol<PostgresRow> {
        cells.lazy.map { PostgresRow(columns: columns, columnTypes: columnTypes, cells: $0) }.makeIterator()
    }
}

/// One row; read a column by name or position into any `PostgresDecodable` type.
public struct PostgresRow: Sendable {
    public let columns: [String]
    public let columnTypes: [UInt32]
    let cells: [String?]

    public func decode<T: PostgresDecodable>(at index: Int, as type: T.Type = T.self) throws -> T {
        guard index < cells.count else {
            throw PostgresError(kind: .decoding, message: "column \(index) out of range (\(cells.count) columns)")
        }
        return try T.decode(postgresText: cells[index], typeOID: columnTypes[index], column: columns[index])
    }

    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let index = columns.firstIndex(of: column) else {
            throw PostgresError(kind: .decoding, message: "no column named \(column) (have \(columns.joined(separator: ", ")))")
        }
        return try decode(at: index, as: T.self)
    }

    /// The raw text of a column, nil for SQL NULL.
    public func text(_ column: String) -> String? {
        columns.firstIndex(of: column).flatMap { cells[$0] }
    }
}

/// A Swift type a column can be decoded into from PostgreSQL's text format.
public protocol PostgresDecodable: Sendable {
    /// Decodes a non-NULL value.
    init(postgresText text: String, typeOID: UInt32) throws
    /// Decodes a value that may be NULL: an error unless the type is Optional.
    static func decode(postgresText text: String?, typeOID: UInt32, column: String) throws -> Self
}

extension PostgresDecodable {
    public static func decode(postgresText text: String?, typeOID: UInt32, column: String) throws -> Self {
        guard let text else {
            throw PostgresError(kind: .decoding, message: "column \(column) is NULL; decode it as an Optional")
        }
        do {
            return try Self(postgresText: text, typeOID: typeOID)
        } catch var error as PostgresError {
            error.message = "column \(column): \(error.message)"
            throw error
        }
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText text: String, typeOID: UInt32) throws {
        self = .some(try Wrapped(postgresText: text, typeOID: typeOID))
    }
    public static func decode(postgresText text: String?, typeOID: UInt32, column: String) throws -> Self {
        guard let text else { return .none }
        return try Wrapped.decode(postgresText: text, typeOID: typeOID, column: column)
    }
}

func decodingError(_ text: String, as type: String) -> PostgresError {
    PostgresError(kind: .decoding, message: "cannot read \(text.prefix(40).debugDescription) as \(type)")
}

extension String: PostgresDecodable {
    public init(postgresText text: String, typeOID: UInt32) throws { self = text }
}
extension Int: PostgresDecodable {
    public init(postgresText text: String, typeOID: UInt32) throws {
        guard let v = Int(text) else { throw decodingError(text, as: "Int") }
        self = v
    }
}
extension Int64: PostgresDecodable {
    public init(postgresText text: String, typeOID: UInt32) throws {
        guard let v = Int64(text) else { throw decodingError(text, as: "Int64") }
        self = v
    }
}
extension Int32: PostgresDecodable {
    public init(postgresText text: String, typeOID: UInt32) throws {
        guard let v = Int32(text) else { throw decodingError(text, as: "Int32") }
        self = v
    }
}
extension Double: PostgresDecodable {
    public init(postgresText text: String, typeOID: UInt32) throws {
        guard let v = Double(text) else { throw decodingError(text, as: "Double") }
        self = v
    }
}
extension Bool: PostgresDecodable {
    public init(postgresText text: String, typeOID: UInt32) throws {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw decodingError(text, as: "Bool")
        }
    }
}
extension UUID: PostgresDecodable {
    public init(postgresText text: String, typeOID: UInt32) throws {
        guard let v = UUID(uuidString: text) else { throw decodingError(text, as: "UUID") }
        self = v
    }
}
extension Date: PostgresDecodable {
    public init(postgresText text: String, typeOID: UInt32) throws {
        guard let v = PostgresTimestamp.parse(text) else { throw decodingError(text, as: "timestamptz") }
        self = v
    }
}
extension Data: PostgresDecodable {
    public init(postgresText text: String, typeOID: UInt32) throws {
        guard text.hasPrefix("\\x"), text.utf8.count % 2 == 0 else { throw decodingError(text, as: "bytea") }
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.utf8.count / 2 - 1)
        var high: UInt8?
        for c in text.utf8.dropFirst(2) {
            let nibble: UInt8
            switch c {
            case 48...57: nibble = c - 48
            case 97...102: nibble = c - 87
            case 65...70: nibble = c - 55
            default: throw decodingError(text, as: "bytea")
            }
            if let h = high { bytes.append(h << 4 | nibble); high = nil } else { high = nibble }
        }
        self = Data(bytes)
    }
}
extension PostgresJSON: PostgresDecodable {
    public init(postgresText text: String, typeOID: UInt32) throws { self.init(text: text) }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    /// Reads a one-dimensional array literal such as `{a,"b c",NULL}`; NULL elements are refused
    /// unless the element type is Optional.
    public init(postgresText text: String, typeOID: UInt32) throws {
        let elementOID = PostgresArrayLiteral.elementType(of: typeOID)
        self = try PostgresArrayLiteral.split(text).map { item in
            try Element.decode(postgresText: item, typeOID: elementOID, column: "array element")
        }
    }
}

enum PostgresArrayLiteral {
    static func elementType(of arrayOID: UInt32) -> UInt32 {
        switch arrayOID {
        case PostgresType.textArray: PostgresType.text
        case PostgresType.int8Array: PostgresType.int8
        case PostgresType.int4Array: PostgresType.int4
        case PostgresType.uuidArray: PostgresType.uuid
        case PostgresType.timestamptzArray: PostgresType.timestamptz
        case PostgresType.boolArray: PostgresType.bool
        default: 0
        }
    }

    static func split(_ text: String) throws -> [String?] {
        let scalars = Array(text.unicodeScalars)
        guard scalars.first == "{", scalars.last == "}" else { throw decodingError(text, as: "array") }
        var items: [String?] = []
        var i = 1
        let end = scalars.count - 1
        if end == 1 { return [] }
        while i < end {
            var item = String.UnicodeScalarView()
            var quoted = false
            if scalars[i] == "\"" {
                quoted = true
                i += 1
                while i < end, scalars[i] != "\"" {
                    if scalars[i] == "\\" { i += 1 }
                    item.append(scalars[i])
                    i += 1
                }
                i += 1
            } else {
                while i < end, scalars[i] != "," {
                    item.append(scalars[i])
                    i += 1
                }
            }
            let value = String(item)
            items.append(!quoted && value == "NULL" ? nil : value)
            i += 1  // the comma
        }
        return items
    }
}
