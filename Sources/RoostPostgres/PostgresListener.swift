import CPostgres
import Foundation
import Synchronization

/// What a listener reports: a notification, or that it (re)connected and may have missed some,
/// so the consumer should look for work it was not told about.
public enum PostgresListenerEvent: Sendable, Equatable {
    case connected
    case notification(channel: String, payload: String)
}

/// `LISTEN` on a dedicated connection, owned by a dedicated thread that waits in `poll` on the
/// connection's socket: a NOTIFY wakes it within milliseconds, and nothing blocks Swift's pool.
/// A broken connection is reopened with backoff and every channel listened to again.
public final class PostgresListener: Sendable {
    private let stopped = StopFlag()
    public let events: AsyncStream<PostgresListenerEvent>

    public init(settings: PostgresSettings, channels: [String]) {
        let (stream, continuation) = AsyncStream.makeStream(of: PostgresListenerEvent.self, bufferingPolicy: .bufferingNewest(1024))
        self.events = stream
        let thread = Thread { [stopped] in
            Self.run(settings: settings, channels: channels, stopped: stopped, continuation: continuation)
        }
        thread.name = "roost.postgres.listener"
        thread.start()
    }

    /// Stops the thread within a poll interval and ends `events`.
    public func stop() {
        stopped.flag.store(true, ordering: .relaxed)
    }

    deinit { stop() }

    private static func run(settings: PostgresSettings, channels: [String], stopped: StopFlag,
                            continuation: AsyncStream<PostgresListenerEvent>.Continuation) {
        var connection: OpaquePointer?
        var backoff = 0.05
        defer {
            if let connection { PQfinish(connection) }
            continuation.finish()
        }
        while !stopped.flag.load(ordering: .relaxed) {
            guard let conn = connection else {
                connection = open(settings: settings, channels: channels)
                if connection != nil {
                    backoff = 0.05
                    continuation.yield(.connected)
                } else {
                    Thread.sleep(forTimeInterval: backoff)
                    backoff = min(backoff * 2, 2)
                }
                continue
            }
            var pfd = pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, 200)
            guard PQconsumeInput(conn) == 1, PQstatus(conn) == CONNECTION_OK else {
                PQfinish(conn)
                connection = nil
                continue
            }
            while let notify = PQnotifies(conn) {
                let channel = String(cString: notify.pointee.relname)
                let payload = String(cString: notify.pointee.extra)
                PQfreemem(notify)
                continuation.yield(.notification(channel: channel, payload: payload))
            }
        }
    }

    private static func open(settings: PostgresSettings, channels: [String]) -> OpaquePointer? {
        guard let conn = try? PostgresConnection.openHandle(settings) else { return nil }
        for channel in channels {
            guard let quoted = PQescapeIdentifier(conn, channel, channel.utf8.count) else { continue }
            let result = PQexec(conn, "LISTEN " + String(cString: quoted))
            PQfreemem(quoted)
            let ok = PQresultStatus(result) == PGRES_COMMAND_OK
            PQclear(result)
            if !ok { PQfinish(conn); return nil }
        }
        return conn
    }
}

/// A stop request shared between the listener and its thread (an `Atomic` cannot be captured directly).
final class StopFlag: Sendable {
    let flag = Atomic<Bool>(false)
}
