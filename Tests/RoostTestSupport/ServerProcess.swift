import Foundation

/// A test server in a child process (a Python script under Tests/servers, moto_server, …) that
/// binds a free loopback port and announces it with a line "PORT <n>" on stdout (lines before it
/// are kept in `announcements`). Killed when released.
public final class ServerProcess: Sendable {
    private let child: ChildProcess
    private let outputPath: String
    public let port: Int
    public let announcements: [String]
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                timeout: Duration = .seconds(60)) async throws {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("roost-server-\(UUID()).out").path
        let child = try ChildProcess(executable, arguments, environment: environment.merging(["PYTHONUNBUFFERED": "1"]) { old, _ in old },
                                     stdout: outputPath, stderr: nil)
        (self.child, self.outputPath) = (child, outputPath)
        var lines: [String] = []
        try await eventually(timeout: timeout, every: .milliseconds(20), "\(executable) \(arguments) announces its port") {
            let text = String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
            lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.dropLast().contains(where: { $0.hasPrefix("PORT ") }) { return true }
            if let status = child.terminationStatus { throw TestSupportError("\(executable) \(arguments) exited (\(status)) before announcing its port: \(text)") }
            return false
        }
        let end = lines.firstIndex { $0.hasPrefix("PORT ") }!
        guard let port = Int(lines[end].dropFirst(5)) else { throw TestSupportError("\(executable) announced a bad port: \(lines[end])") }
        self.port = port
        announcements = Array(lines[..<end])
    }

    /// A script from Tests/servers run by the project's Python (.venv when present).
    public static func python(_ script: String, _ arguments: [String] = [], environment: [String: String] = [:]) async throws -> ServerProcess {
        let python = PythonTools.command
        return try await ServerProcess(python[0], python.dropFirst() + [RepositoryPaths.root + "/Tests/servers/" + script] + arguments,
                                       environment: environment)
    }

    public func stop() { child.signal(SIGKILL) }

    deinit { try? FileManager.default.removeItem(atPath: outputPath) }
}

/// The Python the tests use: the project's .venv (moto, boto3, botocore) when `make setup` made
/// it, else python3 on the PATH.
public enum PythonTools {
    public static var command: [String] {
        let venv = RepositoryPaths.root + "/.venv/bin/python"
        return FileManager.default.isExecutableFile(atPath: venv) ? [venv] : ["/usr/bin/env", "python3"]
    }
}
