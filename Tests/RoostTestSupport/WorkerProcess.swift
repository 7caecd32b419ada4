import Foundation

/// A long-running `roost` OS process (worker, scheduler, dev cluster) for tests: real processes,
/// real signals, output kept in a log file.
public class RoostProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is only started in init and then read (pid, status), which
    // Foundation's Process allows from any thread.
    let process = Process()
    public let logPath: String

    public init(_ arguments: [String], environment: [String: String]) throws {
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("roost-\(UUID()).log").path
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: RepositoryPaths.roostBinary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: RepositoryPaths.root)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to exit (polling, so no thread blocks) and returns its status.
    public func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw TestSupportError("worker \(pid) did not exit within \(timeout)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: logPath)
    }
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
