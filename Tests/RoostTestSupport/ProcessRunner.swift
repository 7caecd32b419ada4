import Foundation

/// Runs the `roost` binary (or any program) as a child process and captures its output.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

public enum ProcessRunner {
    /// Runs to completion. `environment` is added to (and overrides) the test's own environment.
    /// Output goes through files, so a full pipe never blocks the child and no thread waits on it.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                           currentDirectory: String = RepositoryPaths.root, timeout: Duration = .seconds(600)) async throws -> ProcessResult {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("roost-run-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: output + ".out"); try? FileManager.default.removeItem(atPath: output + ".err") }
        let child = try ChildProcess(executable, arguments, environment: environment, currentDirectory: currentDirectory,
                                     stdout: output + ".out", stderr: output + ".err")
        let status = try await child.waitForExit(timeout: timeout)
        func read(_ path: String) -> String { String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
        return ProcessResult(status: status, stdout: read(output + ".out"), stderr: read(output + ".err"))
    }

    public static func roost(_ arguments: [String], environment: [String: String] = [:],
                             currentDirectory: String = RepositoryPaths.root) async throws -> ProcessResult {
        try await run(RepositoryPaths.roostBinary, arguments, environment: environment, currentDirectory: currentDirectory)
    }
}
