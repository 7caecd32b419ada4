import Foundation

/// A test server in a child process (a Python script under Tests/servers, moto_server, …) that
/// binds a free loopback port and announces it with a line "PORT <n>" on stdout. Killed when
/// released.
public final class ServerProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is started in init and afterwards only signalled.
    private let process = Process()
    public let port: Int
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
        let line = await onOwnThread { Self.readLine(reader) }
        guard let line, line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            process.terminate()
            throw TestSupportError("\(executable) did not announce its port (got \(line ?? "end of output"))")
        }
        self.port = port
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

    private static func readLine(_ handle: FileHandle) -> String? {
        var bytes = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            bytes.append(chunk)
            if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
                return String(decoding: bytes[..<newline], as: UTF8.self)
            }
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
