import Foundation
import Synchronization

/// A child process of the tests: started with `posix_spawn`, its exit collected by polling
/// `waitpid(pid, WNOHANG)` for its own pid. Foundation's `Process` on Linux sometimes never sees
/// a child exit when many start at once (tests hung in `waitUntilExit`), so the tests do not use it.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    /// The raw wait status once reaped; guarded because tests poll it from several tasks.
    private let waitStatus = Mutex<Int32?>(nil)

    /// `stdout`/`stderr`: files the child writes (created or truncated; the same path for both shares
    /// one file); nil inherits the tests' own.
    /// `environment` is added to (and overrides) the tests' environment.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                currentDirectory: String = RepositoryPaths.root, stdout: String?, stderr: String?) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let flags = O_WRONLY | O_CREAT | O_TRUNC
        if let stdout { posix_spawn_file_actions_addopen(&actions, 1, stdout, flags, 0o644) }
        if let stderr, stderr == stdout {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else if let stderr {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, flags, 0o644)
        }
        guard SpawnExtensions.addChdir(&actions, currentDirectory) == 0, SpawnExtensions.addCloseFrom(&actions, 3) == 0 else {
            throw TestSupportError("posix_spawn file actions for \(executable) failed")
        }
        // Like a shell-started program: no blocked signals, default SIGPIPE even if the tests ignore it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), defaults = sigset_t()
        sigemptyset(&noSignals)
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { strdup("\($0)=\($1)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw TestSupportError("cannot start \(executable): \(String(cString: strerror(result)))") }
        self.pid = pid
    }

    public var isRunning: Bool { reap(blocking: false) == nil }

    public func signal(_ signal: Int32) { if isRunning { kill(pid, signal) } }

    /// The exit code, or the signal number for a child killed by a signal (as Foundation reports it).
    public var terminationStatus: Int32? {
        reap(blocking: false).map { status in status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f }
    }

    /// Waits for the exit by polling, so no thread blocks, and throws past the timeout.
    public func waitForExit(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = terminationStatus { return status }
            guard ContinuousClock.now < deadline else { throw TestSupportError("process \(pid) did not exit within \(timeout)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private func reap(blocking: Bool) -> Int32? {
        waitStatus.withLock { known in
            if known == nil {
                var status: Int32 = 0
                if waitpid(pid, &status, blocking ? 0 : WNOHANG) == pid { known = status }
            }
            return known
        }
    }

    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            _ = reap(blocking: true)  // a killed child exits at once; reaping leaves no zombie
        }
    }
}

/// glibc's `posix_spawn_file_actions_addchdir_np` and `_addclosefrom_np` (2.29, 2.34), which the
/// Glibc module hides behind _GNU_SOURCE; looked up once at run time.
private enum SpawnExtensions {
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let addChdir: AddChdir = symbol("posix_spawn_file_actions_addchdir_np")
    static let addCloseFrom: AddCloseFrom = symbol("posix_spawn_file_actions_addclosefrom_np")

    private static func symbol<F>(_ name: String) -> F {
        guard let address = dlsym(nil, name)  /* nil is RTLD_DEFAULT */ else { fatalError("glibc lacks \(name)") }
        return unsafeBitCast(address, to: F.self)
    }
}
