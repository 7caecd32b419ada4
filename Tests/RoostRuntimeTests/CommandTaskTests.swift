import Foundation
import RoostCore
import RoostRuntime
import RoostStore
import RoostTestSupport
import Testing

@Suite struct CommandTaskTests {
    @Test func outputGoesToTheTaskLogAndExitStatusDecides() async throws {
        let fleet = try await Fleet.create()
        let run = try await fleet.trigger(.test("cmd", tasks: [
            TaskDefinition(taskID: "ok", type: "command", params: .object([
                "argv": .array([.string("/bin/sh"), .string("-c"), .string("echo \"hello $GREETING\"; echo warn >&2")]),
                "env": .object(["GREETING": .string("world")]),
            ])),
            TaskDefinition(taskID: "bad", type: "command", params: .object([
                "argv": .array([.string("/bin/sh"), .string("-c"), .string("echo partial; exit 3")]),
            ])),
            // A name without a slash is looked up in PATH, and `roost` is the worker's own binary.
            TaskDefinition(taskID: "named", type: "command", params: .object([
                "argv": .array([.string("sh"), .string("-c"), .string("echo from PATH")]),
            ])),
            TaskDefinition(taskID: "own", type: "command", params: .object(["argv": .array([.string("roost"), .string("version")])])),
        ]))[0]
        let worker = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 2)
        try await fleet.drive(fleet.scheduler([]), "the run ends") {
            try await fleet.runs.run(dagID: "cmd", runID: run.runID)?.state.isFinal == true
        }
        let logs = TaskLogStore(pool: fleet.pool)
        let ok = try #require(try await logs.lines(dagID: "cmd", runID: run.runID, taskID: "ok", tryNumber: nil))
        #expect(ok.lines.contains { $0.stream == "stdout" && $0.text == "hello world" })
        #expect(ok.lines.contains { $0.stream == "stderr" && $0.text == "warn" })
        let bad = try #require(try await logs.lines(dagID: "cmd", runID: run.runID, taskID: "bad", tryNumber: 1))
        #expect(bad.lines.contains { $0.text == "partial" })
        let named = try #require(try await logs.lines(dagID: "cmd", runID: run.runID, taskID: "named", tryNumber: 1))
        #expect(named.lines.contains { $0.stream == "stdout" && $0.text == "from PATH" })
        let own = try #require(try await logs.lines(dagID: "cmd", runID: run.runID, taskID: "own", tryNumber: 1))
        #expect(own.lines.contains { $0.stream == "stdout" && $0.text.hasPrefix("roost ") }, "\(own.lines.map(\.text))")
        #expect(try await fleet.scalar("SELECT error FROM roost.task_attempt_history WHERE task_id = 'bad'", as: String.self)
                == "/bin/sh exited with status 3")
        // The same through the CLI.
        let cli = try await ProcessRunner.roost(["tasks", "logs", "cmd/\(run.runID)", "ok"], environment: ["ROOST_DATABASE_URL": fleet.database.url])
        #expect(cli.status == 0)
        #expect(cli.stdout.contains("[stdout] hello world"))
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
    }

    /// Foundation's `Process` lost exits when a worker started many programs at once; never again.
    @Test func manyCommandsAtOnceAllFinish() async throws {
        let fleet = try await Fleet.create()
        let tasks = (0..<24).map { index in
            TaskDefinition(taskID: "echo\(index)", type: "command", params: .object([
                "argv": .array([.string("/bin/echo"), .string("line \(index)")]),
            ]))
        }
        let run = try await fleet.trigger(.test("cmdmany", tasks: tasks))[0]
        let worker = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 16)
        try await fleet.drive(fleet.scheduler([]), "the run ends") {
            try await fleet.runs.run(dagID: "cmdmany", runID: run.runID)?.state.isFinal == true
        }
        #expect(try await fleet.scalar("SELECT count(*) FROM roost.task_instances WHERE state = 'success'", as: Int64.self) == 24)
        let logs = TaskLogStore(pool: fleet.pool)
        let last = try #require(try await logs.lines(dagID: "cmdmany", runID: run.runID, taskID: "echo23", tryNumber: 1))
        #expect(last.lines.contains { $0.stream == "stdout" && $0.text == "line 23" })
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
    }

    @Test func aTimedOutCommandIsKilled() async throws {
        let fleet = try await Fleet.create()
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("roost-cmd-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        try await fleet.trigger(.test("cmdslow", tasks: [
            TaskDefinition(taskID: "slow", type: "command", params: .object([
                "argv": .array([.string("/bin/sh"), .string("-c"), .string("echo $$ > \(pidFile); exec sleep 30")]),
            ]), args: TaskArgs(executionTimeout: .milliseconds(300))),
        ]))
        let worker = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 1)
        try await fleet.drive(fleet.scheduler([]), "the run fails") {
            try await fleet.scalar("SELECT state FROM roost.dag_runs", as: String.self) == "failed"
        }
        #expect(try await fleet.scalar("SELECT state FROM roost.task_attempts", as: String.self) == "timed_out")
        let pid = try #require(Int32((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        try await eventually(timeout: .seconds(10), "the timed-out command is killed") { kill(pid, 0) != 0 }
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
    }
}
