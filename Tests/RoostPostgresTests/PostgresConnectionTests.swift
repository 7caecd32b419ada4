import Foundation
import RoostTestSupport
import Testing
@testable import RoostPostgres

@Suite struct PostgresConnectionTests {
    var settings: PostgresSettings { get throws { PostgresSettings(conninfo: try TestDatabase.serverURL) } }

    @Test func serverErrorsCarrySQLStateAndMessage() async throws {
        let connection = try await PostgresConnection.connect(try settings)
        do {
            try await connection.query("SELECT * FROM no_such_table")
            Issue.record("expected an error")
        } catch let error as PostgresError {
            #expect(error.kind == .server)
            #expect(error.sqlState == "42P01")
            #expect(error.message == #"relation "no_such_table" does not exist"#)
        }
        // The connection is still usable after a statement error.
        #expect(try await connection.query("SELECT 1")[0].decode(at: 0, as: Int.self) == 1)
    }

    @Test func unreachableServerFailsClearlyAndQuickly() async throws {
        let start = ContinuousClock.now
        do {
            _ = try await PostgresConnection.connect(PostgresSettings(conninfo: "postgresql://nobody:secretpw@127.0.0.1:1/db"))
            Issue.record("expected an error")
        } catch let error as PostgresError {
            #expect(error.kind == .connection)
            #expect(error.description.hasPrefix("cannot connect to PostgreSQL"))
            #expect(error.description.contains("127.0.0.1"))
            #expect(!error.description.contains("secretpw"))
        }
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    @Test func malformedConnectionStringIsAClearError() async throws {
        await #expect(throws: PostgresError.self) {
            _ = try await PostgresConnection.connect(PostgresSettings(conninfo: "postgresql://[::1:5432/x"))
        }
        do {
            _ = try await PostgresConnection.connect(PostgresSettings(conninfo: "host=127.0.0.1 bogus_option=1"))
        } catch let error as PostgresError {
            #expect(error.description.contains("bogus_option"))
        }
    }

    @Test func blackholedHostTimesOutWithinConnectTimeout() async throws {
        // 10.255.255.1 is unroutable here: the SYN goes nowhere, so only connect_timeout ends the wait.
        // The bound is loose so a loaded machine passes; without connect_timeout the wait is minutes.
        let start = ContinuousClock.now
        await #expect(throws: PostgresError.self) {
            _ = try await PostgresConnection.connect(PostgresSettings(conninfo: "host=10.255.255.1 port=5432", connectTimeout: 2))
        }
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    @Test func transactionsCommitAndRollBack() async throws {
        let database = try await TestDatabase.create()
        let connection = try await database.connect()
        try await connection.query("CREATE TABLE t (v int)")
        try await connection.transaction { try await $0.query("INSERT INTO t VALUES (1)") }
        await #expect(throws: PostgresError.self) {
            try await connection.transaction { connection in
                try await connection.query("INSERT INTO t VALUES (2)")
                try await connection.query("INSERT INTO t VALUES ('not a number')")
            }
        }
        #expect(try await connection.query("SELECT array_agg(v) FROM t")[0].decode(at: 0, as: [Int].self) == [1])
        // The connection is out of the failed transaction and usable.
        #expect(try await connection.query("SELECT count(*) FROM t").first?.decode(at: 0, as: Int.self) == 1)
    }

    @Test func listenWakesOnNotify() async throws {
        let channel = "roost_test_\(UInt32.random(in: 0...UInt32.max))"
        let listener = PostgresListener(settings: try settings, channels: [channel])
        defer { listener.stop() }
        var events = listener.events.makeAsyncIterator()
        #expect(await events.next() == .connected)
        let connection = try await PostgresConnection.connect(try settings)
        try await connection.query("SELECT pg_notify($1, $2)", channel, "hello ü")
        #expect(await events.next() == .notification(channel: channel, payload: "hello ü"))
    }

    @Test func poolReconnectsAfterTheServerDropsItsConnection() async throws {
        var poolSettings = try settings
        poolSettings.reconnectWindow = .seconds(5)
        let pool = PostgresPool(settings: poolSettings, size: 1)
        let pid = try await pool.query("SELECT pg_backend_pid()")[0].decode(at: 0, as: Int32.self)
        let killer = try await PostgresConnection.connect(try settings)
        try await killer.query("SELECT pg_terminate_backend($1)", pid)
        // The statement on the dead connection fails as a connection error; the next one reconnects.
        await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        let newPID = try await pool.query("SELECT pg_backend_pid()")[0].decode(at: 0, as: Int32.self)
        #expect(newPID != pid)
    }

    @Test func preparedStatementsArePreparedOncePerSessionAndAgainAfterAReconnect() async throws {
        var poolSettings = try settings
        poolSettings.reconnectWindow = .seconds(5)
        let pool = PostgresPool(settings: poolSettings, size: 1)
        let sql = "SELECT $1::int8 + 1 AS n, pg_backend_pid() AS pid"
        let first = try await pool.query(prepared: sql, Int64(1))[0]
        #expect(try first.decode("n", as: Int64.self) == 2)
        #expect(try await pool.query(prepared: sql, Int64(41))[0].decode("n", as: Int64.self) == 42)
        #expect(try await pool.query("SELECT count(*) FROM pg_prepared_statements")[0].decode(at: 0, as: Int.self) == 1)
        await #expect(throws: PostgresError.self) { try await pool.query(prepared: "SELEC 1") }

        let killer = try await PostgresConnection.connect(try settings)
        try await killer.query("SELECT pg_terminate_backend($1)", try first.decode("pid", as: Int32.self))
        await #expect(throws: PostgresError.self) { try await pool.query(prepared: sql, Int64(1)) }
        // The new session has none of the old one's statements: it prepares its own.
        #expect(try await pool.query(prepared: sql, Int64(2))[0].decode("n", as: Int64.self) == 3)
    }

    @Test func poolBoundsConcurrentUse() async throws {
        let pool = PostgresPool(settings: try settings, size: 2)
        let pids = try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<10 {
                group.addTask { try await pool.query("SELECT pg_backend_pid() FROM pg_sleep(0.02)")[0].decode(at: 0, as: Int32.self) }
            }
            return try await group.reduce(into: Set<Int32>()) { $0.insert($1) }
        }
        #expect(pids.count <= 2)
    }
}
