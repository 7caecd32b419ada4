import Foundation
import RoostTestSupport
import Testing

/// The Python test servers exit once the process that started them is gone. Servers shared by a
/// test run are never stopped explicitly; after a crashed run they would otherwise live on holding
/// its output pipe, and whatever reads that pipe (CI) would wait forever.
@Suite struct TestServerLifetimeTests {
    @Test(arguments: [
        ("fake_x_api.py", ""), ("fake_imds.py", "3600"), ("fault_proxy.py", "9"), ("http_test_server.py", ""), ("moto_server.py", ""),
    ])
    func aServerExitsWhenItsParentIsGone(script: String, arguments: String) async throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("roost-orphan-\(UUID()).out").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        // A shell starts the server, waits until it listens, prints its pid and exits, orphaning it.
        let python = PythonTools.command.joined(separator: " ")
        let shell = "\(python) Tests/servers/\(script) \(arguments) >\(output) & "
            + "while ! grep -q PORT \(output); do sleep 0.1; done; echo $!"
        let started = try await ProcessRunner.run("/bin/sh", ["-c", shell], timeout: .seconds(120))
        let pid = try #require(pid_t(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(started.stderr)")

        let deadline = ContinuousClock.now + .seconds(30)
        while Self.isAlive(pid) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let alive = Self.isAlive(pid)
        if alive { kill(pid, SIGKILL) }
        #expect(!alive, "\(script) was still running 30 s after its parent exited")
    }

    /// Running, as opposed to gone or a zombie nobody reaps (a container's init may not).
    private static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let afterName = stat.range(of: ") ", options: .backwards) else { return false }
        return stat[afterName.upperBound] != "Z"
    }
}
