import CPostgres
import Dispatch
import Foundation

/// One libpq connection. Every libpq call runs on the connection's own serial queue, so blocking
/// network I/O never occupies Swift's cooperative thread pool.
///
/// The connection opens lazily and reopens after it breaks (see `ensureOpen`); statements are
/// never retried by it, because only the caller knows whether a statement is safe to repeat.
public final class PostgresConnection: @unchecked Sendable {
    // @unchecked Sendable: `handle` and `prepared` are only touched on `queue`, a serial queue this
    // object owns, so libpq never sees two threads on one PGconn.
    private var handle: OpaquePointer?
    /// Statements prepared on the current session: SQL text → statement name.
    private var prepared: [String: String] = [:]
    private let queue: DispatchQueue
    public let settings: PostgresSettings

    public init(settings: PostgresSettings) {
        self.settings = settings
        self.queue = DispatchQueue(label: "roost.postgres.connection")
    }

    /// Opens a connection now, failing with a clear error if the server cannot be reached.
    public static func connect(_ settings: PostgresSettings) async throws -> PostgresConnection {
        let connection = PostgresConnection(settings: settings)
        try await connection.ensureOpen()
        return connection
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Runs `body` on the connection's queue with the open handle.
    func onQueue<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                guard let handle = self.handle else {
                    continuation.resume(throwing: PostgresError(kind: .connection, message: "connection is not open"))
                    return
                }
                continuation.resume(with: Result { try body(handle) })
            }
        }
    }

    /// Opens the connection if it is closed or broken, retrying with exponential backoff for up to
    /// `settings.reconnectWindow`.
    public func ensureOpen() async throws {
        let deadline = ContinuousClock.now + settings.reconnectWindow
        var delay = Duration.milliseconds(50)
        while true {
            do {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                    queue.async { continuation.resume(with: Result { try self.openIfNeeded() }) }
                }
                return
            } catch {
                if ContinuousClock.now + delay > deadline { throw error }
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }

    private func openIfNeeded() throws {
        if let handle, PQstatus(handle) == CONNECTION_OK { return }
        if let handle { PQfinish(handle) }
        handle = nil
        prepared = [:]
        let conn = try Self.openHandle(settings)
        handle = conn
        // Timestamps come back in UTC, so decoding never depends on the server's zone.
        let result = PQexec(conn, "SET TIME ZONE 'UTC'")
        PQclear(result)
    }

    /// Opens a libpq connection, blocking; for the connection's queue and the listener's thread.
    static func openHandle(_ settings: PostgresSettings) throws -> OpaquePointer {
        let pairs = settings.keywordValues
        let keys = pairs.map { strdup($0.0) } + [nil]
        let values = pairs.map { strdup($0.1) } + [nil]
        defer { (keys + values).forEach { free($0) } }
        let conn = keys.map { UnsafePointer($0) }.withUnsafeBufferPointer { k in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { v in
                PQconnectdbParams(k.baseAddress, v.baseAddress, 1)
            }
        }
        guard let conn, PQstatus(conn) == CONNECTION_OK else {
            let error = PostgresError.fromConnection(conn, context: "cannot connect to PostgreSQL")
            if let conn { PQfinish(conn) }
            throw error
        }
        // Server notices (e.g. "already exists, skipping") are not errors; keep them off stderr.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        return conn
    }

    /// Runs one parameterized statement and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ values: any PostgresEncodable...) async throws -> PostgresRows {
        try await query(sql, binds: values.map(\.postgresBind))
    }

    @discardableResult
    public func query(_ sql: String, binds: [PostgresBind]) async throws -> PostgresRows {
        try await ensureOpen()
        return try await onQueue { handle in try Self.execute(handle, sql, binds) }
    }

    /// Runs one parameterized statement as a prepared statement of this session: parsed (and,
    /// once PostgreSQL settles on a generic plan, planned) once, not on every call. For the few
    /// hot statements run thousands of times a second; the SQL must be a fixed string.
    @discardableResult
    public func query(prepared sql: String, binds: [PostgresBind]) async throws -> PostgresRows {
        try await ensureOpen()
        return try await onQueue { handle in
            let name = try self.statementName(for: sql, binds: binds, on: handle)
            return try Self.execute(handle, binds) { values, _ in
                PQexecPrepared(handle, name, Int32(binds.count), values, nil, nil, 0)
            }
        }
    }

    /// The name `sql` is prepared under on this session, preparing it first if needed. Only on `queue`.
    private func statementName(for sql: String, binds: [PostgresBind], on handle: OpaquePointer) throws -> String {
        if let name = prepared[sql] { return name }
        let name = "roost_\(prepared.count + 1)"
        let types = binds.map { Oid($0.typeOID) }
        guard let result = PQprepare(handle, name, sql, Int32(binds.count), types) else {
            throw PostgresError.fromConnection(handle, context: "cannot prepare statement")
        }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw PostgresError.fromResult(result) }
        prepared[sql] = name
        return name
    }

    /// Runs a script of several statements with the simple query protocol and no parameters.
    /// Only for trusted text such as migration files.
    public func executeScript(_ sql: String) async throws {
        try await ensureOpen()
        try await onQueue { handle in
            guard let result = PQexec(handle, sql) else {
                throw PostgresError.fromConnection(handle, context: "script failed")
            }
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
                throw PostgresError.fromResult(result)
            }
        }
    }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    public func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await query("BEGIN")
        let value: T
        do {
            value = try await body(self)
        } catch {
            _ = try? await query("ROLLBACK")
            throw error
        }
        try await onQueue { handle in
            // COMMIT of a failed transaction silently rolls back; make that an error instead.
            if PQtransactionStatus(handle) == PQTRANS_INERROR {
                PQclear(PQexec(handle, "ROLLBACK"))
                throw PostgresError(kind: .server, message: "transaction was aborted by an earlier error and rolled back")
            }
            _ = try Self.execute(handle, "COMMIT", [])
        }
        return value
    }

    /// Whether the connection is open and usable, as far as libpq knows without a round trip.
    public var isOpen: Bool {
        get async {
            (try? await onQueue { PQstatus($0) == CONNECTION_OK }) ?? false
        }
    }

    /// The backend's process id, for tests that terminate connections.
    public var backendPID: Int32 {
        get async throws { try await onQueue { PQbackendPID($0) } }
    }

    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                if let handle = self.handle { PQfinish(handle) }
                self.handle = nil
                self.prepared = [:]
                continuation.resume()
            }
        }
    }

    static func execute(_ handle: OpaquePointer, _ sql: String, _ binds: [PostgresBind]) throws -> PostgresRows {
        try execute(handle, binds) { values, types in
            PQexecParams(handle, sql, Int32(binds.count), types, values, nil, nil, 0)
        }
    }

    /// Passes the binds as C strings and their type OIDs to `send`, and reads its result.
    private static func execute(_ handle: OpaquePointer, _ binds: [PostgresBind],
                                _ send: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Oid>?) -> OpaquePointer?)
        throws -> PostgresRows {
        let values = binds.map { $0.text.map { strdup($0) } ?? nil }
        defer { values.forEach { free($0) } }
        let types = binds.map { Oid($0.typeOID) }
        let result = values.map { UnsafePointer($0) }.withUnsafeBufferPointer { valuePointers in
            types.withUnsafeBufferPointer { typePointers in send(valuePointers.baseAddress, typePointers.baseAddress) }
        }
        guard let result else { throw PostgresError.fromConnection(handle, context: "query failed") }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            var error = PostgresError.fromResult(result)
            if PQstatus(handle) != CONNECTION_OK { error.kind = .connection }
            throw error
        }
        return copyRows(result)
    }

    private static func copyRows(_ result: OpaquePointer) -> PostgresRows {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        let types = (0..<columnCount).map { UInt32(PQftype(result, Int32($0))) }
        var cells: [[String?]] = []
        cells.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, row, column)))
                }
            }
            cells.append(values)
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresRows(columns: columns, columnTypes: types, cells: cells, affectedRows: affected)
    }
}
