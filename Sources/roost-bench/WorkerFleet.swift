import Foundation

/// Real `roost worker` processes, as a deployment runs them; their output goes to a log file.
final class WorkerFleet {
    private var processes: [Process] = []
    private let roost: String
    private let logDirectory: String

    init(roost: String, logDirectory: String) {
        self.roost = roost
        self.logDirectory = logDirectory
    }

    func start(count: Int, queue: String, concurrency: Int) throws {
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        for _ in 0..<count {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: roost)
            process.arguments = ["worker", "--queues", queue, "--concurrency", String(concurrency)]
            let logPath = "\(logDirectory)/worker-\(queue)-\(processes.count).log"
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: logPath)
            process.standardOutput = process.standardError
            try process.run()
            processes.append(process)
        }
    }

    /// The largest peak resident set (VmHWM) among the running workers, in MiB.
    func peakRSSMiB() throws -> Double {
        try processes.map { try Self.peakRSSKiB(pid: $0.processIdentifier) }.max().map { Double($0) / 1024 } ?? 0
    }

    /// CPU time (user + system) the running workers have used so far, in seconds.
    func cpuSeconds() throws -> Double {
        try processes.map { try Self.cpuTicks(pid: $0.processIdentifier) }.reduce(0, +) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// SIGTERM to every worker, then waits for them to exit.
    func stop() async {
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGTERM) }
        for process in processes {
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }
        processes = []
    }

    static func peakRSSKiB(pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { throw BenchError("no VmHWM in /proc/\(pid)/status") }
        return kib
    }
}

extension WorkerFleet {
    /// utime + stime from /proc/PID/stat (fields 14 and 15, counted after the parenthesised name),
    /// or cutime + cstime (16 and 17), what its exited children used.
    static func cpuTicks(pid: Int32, ofExitedChildren: Bool = false) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        guard let close = stat.lastIndex(of: ")") else { throw BenchError("unreadable /proc/\(pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        let first = ofExitedChildren ? 13 : 11
        guard fields.count > first + 1, let user = Double(fields[first]), let system = Double(fields[first + 1]) else {
            throw BenchError("unreadable /proc/\(pid)/stat")
        }
        return user + system
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
