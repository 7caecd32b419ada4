import Synchronization

/// A small fixed-size pool. Connections open lazily and reopen after they break (with backoff, for
/// up to the settings' reconnect window); a caller waits when all are in use.
public final class PostgresPool: Sendable {
    private struct State {
        var idle: [PostgresConnection]
        var waiters: [CheckedContinuation<PostgresConnection, Error>] = []
        var closed = false
    }

    private let state: Mutex<State>
    public let settings: PostgresSettings
    public let size: Int

    public init(settings: PostgresSettings, size: Int = 4) {
        precondition(size > 0, "a pool needs at least one connection")
        self.settings = settings
        self.size = size
        self.state = Mutex(State(idle: (0..<size).map { _ in PostgresConnection(settings: settings) }))
    }

    /// Lends a connection to `body` and takes it back afterwards, whatever happens.
    public func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await checkout()
        defer { checkin(connection) }
        try await connection.ensureOpen()
        return try await body(connection)
    }

    @discardableResult
    public func query(_ sql: String, _ values: any PostgresEncodable...) async throws -> PostgresRows {
        let binds = values.map(\.postgresBind)
        return try await withConnection { try await $0.query(sql, binds: binds) }
    }

    @discardableResult
    public func query(_ sql: String, binds: [PostgresBind]) async throws -> PostgresRows {
        try await withConnection { try await $0.query(sql, binds: binds) }
    }

    /// Runs a prepared statement of the lent connection's session (see `PostgresConnection.query(prepared:binds:)`).
    @discardableResult
    public func query(prepared sql: String, _ values: any PostgresEncodable...) async throws -> PostgresRows {
        let binds = values.map(\.postgresBind)
        return try await withConnection { try await $0.query(prepared: sql, binds: binds) }
    }

    public func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection { try await $0.transaction(body) }
    }

    /// Closes idle connections now and the others as they come back; later checkouts fail.
    public func close() async {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            defer { state.idle = []; state.waiters = [] }
            return (state.idle, state.waiters)
        }
        for waiter in waiters { waiter.resume(throwing: PostgresError(kind: .closed, message: "pool closed")) }
        for connection in idle { await connection.close() }
    }

    private func checkout() async throws -> PostgresConnection {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<PostgresConnection, Error>? = state.withLock { state in
                if state.closed { return .failure(PostgresError(kind: .closed, message: "pool closed")) }
                if let connection = state.idle.popLast() { return .success(connection) }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    private func checkin(_ connection: PostgresConnection) {
        let waiter: CheckedContinuation<PostgresConnection, Error>? = state.withLock { state in
            if state.closed { return nil }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(connection)
            return nil
        }
        waiter?.resume(returning: connection)
    }
}
