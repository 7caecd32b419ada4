import Foundation

/// Runs the `roost` binary (or any program) as a child process and captures its output.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

public enum ProcessRunner {
    /// Runs to completion. `environment` is added to (and overrides) the test's own environment.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                           currentDirectory: String = RepositoryPaths.root) async throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes at once so a full pipe never blocks the child, each on a thread of its
        // own: blocking reads inside Swift tasks would starve the 2-thread cooperative pool.
        async let stdout = onOwnThread { out.fileHandleForReading.readDataToEndOfFile() }
        async let stderr = onOwnThread { err.fileHandleForReading.readDataToEndOfFile() }
        let (o, e) = await (stdout, stderr)
        await onOwnThread { process.waitUntilExit() }
        return ProcessResult(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                             stderr: String(decoding: e, as: UTF8.self))
    }

    public static func roost(_ arguments: [String], environment: [String: String] = [:],
                             currentDirectory: String = RepositoryPaths.root) async throws -> ProcessResult {
        try await run(RepositoryPaths.roostBinary, arguments, environment: environment, currentDirectory: currentDirectory)
    }
}

/// Runs a blocking call on a new thread and awaits its result without holding a Swift pool thread.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}
