import CPostgres

/// An error from PostgreSQL or from libpq, carrying the SQLSTATE and the server's own words.
/// It never carries the connection string, which may hold a password.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// Could not connect, or the connection broke: the pool will reconnect.
        case connection
        /// The server rejected a statement: see `sqlState`.
        case server
        /// A value could not be decoded into the Swift type asked for.
        case decoding
        /// The pool or a listener was closed, or a deadline passed.
        case closed
    }

    public var kind: Kind
    /// The five-character SQLSTATE, e.g. `23505` for a unique violation.
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?

    public init(kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
    }

    public var description: String {
        var text = message
        if let sqlState { text = "\(text) (SQLSTATE \(sqlState))" }
        if let detail { text += "; detail: \(detail)" }
        if let hint { text += "; hint: \(hint)" }
        return text
    }

    public var isUniqueViolation: Bool { sqlState == "23505" }
    public var isSerializationFailure: Bool { sqlState == "40001" || sqlState == "40P01" }

    static func fromResult(_ result: OpaquePointer) -> PostgresError {
        // The PG_DIAG_* codes are character macros, which Swift does not import.
        func field(_ code: Character) -> String? {
            guard let c = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: c)
        }
        let state = field("C")
        let primary = field("M") ?? String(cString: PQresultErrorMessage(result)).trimmed
        // Class 08 is connection exception; 57P01..03 is the server shutting down.
        let isConnection = state.map { $0.hasPrefix("08") || $0.hasPrefix("57P") } ?? true
        return PostgresError(
            kind: isConnection ? .connection : .server, sqlState: state, message: primary,
            detail: field("D"), hint: field("H"))
    }

    static func fromConnection(_ conn: OpaquePointer?, context: String) -> PostgresError {
        let text = conn.flatMap { PQerrorMessage($0) }.map { String(cString: $0).trimmed } ?? "out of memory"
        return PostgresError(kind: .connection, message: "\(context): \(text.isEmpty ? "connection lost" : text)")
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s.removeLast() }
        while let first = s.first, first.isWhitespace { s.removeFirst() }
        return String(s)
    }
}
