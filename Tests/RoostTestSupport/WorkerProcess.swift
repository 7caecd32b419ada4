import Foundation

/// A long-running `roost` OS process (worker, scheduler, dev cluster) for tests: real processes,
/// real signals, output kept in a log file.
public class RoostProcess: @unchecked Sendable {
    // @unchecked Sendable: only immutable lets; subclasses add lets too (a non-final class cannot be checked).
    private let child: ChildProcess
    public let logPath: String

    public init(_ arguments: [String], environment: [String: String]) throws {
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("roost-\(UUID()).log").path
        child = try ChildProcess(RepositoryPaths.roostBinary, arguments, environment: environment, stdout: logPath, stderr: logPath)
    }

    public var pid: Int32 { child.pid }

    public func signal(_ signal: Int32) { child.signal(signal) }

    /// Waits for the process to exit (polling, so no thread blocks) and returns its status.
    public func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        try await child.waitForExit(timeout: timeout)
    }

    public var log: String { String(decoding: FileManager.default.contents(atPath: logPath) ?? Data(), as: UTF8.self) }

    deinit { try? FileManager.default.removeItem(atPath: logPath) }
}

/// Polls `condition` until it holds or the deadline passes: tests never sleep a fixed time.
public func eventually(timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(100),
                       _ what: String, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        guard ContinuousClock.now < deadline else { throw TestSupportError("timed out after \(timeout) waiting for: \(what)") }
        try await Task.sleep(for: interval)
    }
}

/// A `roost worker` process against a test database with the given `ROOST_WORKER_*` settings.
public final class WorkerProcess: RoostProcess, @unchecked Sendable {
    public init(database: TestDatabase, queues: String, concurrency: Int, heartbeat: String = "1s", lease: String = "4s",
                grace: String = "10s", extraEnvironment: [String: String] = [:]) throws {
        try super.init(["worker", "--queues", queues, "--concurrency", String(concurrency), "--log-level", "info"], environment: [
            "ROOST_DATABASE_URL": database.url, "ROOST_WORKER_HEARTBEAT_INTERVAL": heartbeat,
            "ROOST_WORKER_LEASE_TIMEOUT": lease, "ROOST_WORKER_SHUTDOWN_GRACE": grace,
            "ROOST_WORKER_POLL_INTERVAL": "500ms",
        ].merging(extraEnvironment) { $1 })
    }
}
