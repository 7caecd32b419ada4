import Foundation

/// CPU time used by a local PostgreSQL server's processes, read from /proc: the postmaster's live
/// children, plus those that exited (the postmaster's cutime and cstime). A figure the machine's
/// other load disturbs far less than wall-clock throughput.
struct ServerCPU {
    let postmasterPID: Int32

    /// Finds the postmaster as the parent of one of its backends.
    init(backendPID: Int32) throws {
        postmasterPID = try Self.parentPID(of: backendPID)
    }

    func seconds() throws -> Double {
        let children = try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap(Int32.init)
            .filter { (try? Self.parentPID(of: $0)) == postmasterPID }
        let live = try children.map { try WorkerFleet.cpuTicks(pid: $0) }.reduce(0, +)
        return (live + (try WorkerFleet.cpuTicks(pid: postmasterPID, ofExitedChildren: true))) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func parentPID(of pid: Int32) throws -> Int32 {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        guard let close = stat.lastIndex(of: ")"),
              let parent = Int32(stat[stat.index(after: close)...].split(separator: " ").dropFirst().first ?? "")
        else { throw BenchError("unreadable /proc/\(pid)/stat") }
        return parent
    }
}
