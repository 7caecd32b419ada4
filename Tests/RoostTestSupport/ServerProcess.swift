import Foundation

/// A test server in a child process (a Python script under Tests/servers, moto_server, …) that
/// binds a free loopback port and announces it with a line "PORT <n>" on stdout (lines before it
/// are kept in `announcements`). Killed when released.
public final class ServerProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is started in init and afterwards only signalled.
    private let process = Process()
    public let port: Int
    public let announcements: [String]
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        try process.run()
        let reader = out.fileHandleForReading
        let lines = await onOwnThread { Self.readLines(reader, until: "PORT ") }
        guard let line = lines.last, line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            process.terminate()
            throw TestSupportError("\(executable) \(arguments) did not announce its port (got \(lines))")
        }
        self.port = port
        announcements = lines.dropLast()
    }

    /// A script from Tests/servers run by the project's Python (.venv when present).
    public static func python(_ script: String, _ arguments: [String] = [], environment: [String: String] = [:]) async throws -> ServerProcess {
        let python = PythonTools.command
        return try await ServerProcess(python[0], python.dropFirst() + [RepositoryPaths.root + "/Tests/servers/" + script] + arguments,
                                       environment: environment)
    }

    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit { stop() }

    /// Lines up to and including the first that starts with `prefix`, or all until end of output.
    private static func readLines(_ handle: FileHandle, until prefix: String) -> [String] {
        var bytes = Data()
        while true {
            let chunk = handle.availableData
            bytes.append(chunk)
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
            if let end = lines.firstIndex(where: { $0.hasPrefix(prefix) }), bytes.last == UInt8(ascii: "\n") || end < lines.count - 1 {
                return Array(lines[...end])
            }
            if chunk.isEmpty { return lines }
        }
    }
}

/// The Python the tests use: the project's .venv (moto, boto3, botocore) when `make setup` made
/// it, else python3 on the PATH.
public enum PythonTools {
    public static var command: [String] {
        let venv = RepositoryPaths.root + "/.venv/bin/python"
        return FileManager.default.isExecutableFile(atPath: venv) ? [venv] : ["/usr/bin/env", "python3"]
    }
}
