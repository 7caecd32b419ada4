import Foundation
import RoostCore
import RoostRuntime
import RoostStore
import RoostTestSupport
import Testing

/// `roost dags trigger --wait`, `runs list`, `tasks list|clear` and `workers list` as users run them.
@Suite struct RunCommandsTests {
    @Test func triggerWaitFollowsTheRunAndListsShowIt() async throws {
        let fleet = try await Fleet.create()
        let env = ["ROOST_DATABASE_URL": fleet.database.url]
        let dag = DagDefinition.test("manual", tasks: [
            TaskDefinition(taskID: "first", type: "noop"),
            TaskDefinition(taskID: "second", type: "noop", upstream: ["first"]),
        ])
        try await fleet.dags.sync(dag)
        let scheduler = Task { [scheduler = fleet.scheduler([])] in
            while !Task.isCancelled {
                _ = try? await scheduler.runOnce()
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        defer { scheduler.cancel() }
        let worker = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 2)
        let trigger = try await ProcessRunner.roost(["dags", "trigger", "manual", "--conf", #"{"k": "v"}"#,
                                                     "--logical-date", "2026-11-01T00:00:00Z", "--wait"], environment: env)
        #expect(trigger.status == 0, "\(trigger.stderr)")
        #expect(trigger.stdout.contains("created manual/manual__2026-11-01T00:00:00+00:00"))
        #expect(trigger.stdout.contains("second: success"))
        #expect(trigger.stdout.contains("  2/2 tasks done, 0 records moved\n"))
        #expect(trigger.stdout.contains("run manual/manual__2026-11-01T00:00:00+00:00 success"))

        let runs = try await ProcessRunner.roost(["runs", "list", "--output", "json"], environment: env)
        let decoded = try JSONDecoder().decode([[String: String]].self, from: Data(runs.stdout.utf8))
        #expect(decoded.first?["state"] == "success")
        #expect(decoded.first?["run_id"] == "manual__2026-11-01T00:00:00+00:00")

        let tasks = try await ProcessRunner.roost(["tasks", "list", "manual__2026-11-01T00:00:00+00:00"], environment: env)
        #expect(tasks.stdout.split(separator: "\n").first?.hasPrefix("TASK_ID") == true)
        #expect(tasks.stdout.contains("second"))

        let clear = try await ProcessRunner.roost(["tasks", "clear", "manual/manual__2026-11-01T00:00:00+00:00", "second"], environment: env)
        #expect(clear.stdout.contains("cleared: second"))

        let workers = try await ProcessRunner.roost(["workers", "list"], environment: env)
        #expect(workers.stdout.contains("running"))

        let again = try await ProcessRunner.roost(["dags", "trigger", "manual", "--logical-date", "2026-11-01T00:00:00Z"], environment: env)
        #expect(again.status != 0)
        #expect(again.stderr.contains("already has a run for logical date"))

        let missing = try await ProcessRunner.roost(["dags", "trigger", "nope"], environment: env)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no DAG 'nope'"))
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
    }

    @Test func triggerWaitExitsNonZeroWhenTheRunFails() async throws {
        let fleet = try await Fleet.create()
        try await fleet.dags.sync(.test("failing", tasks: [TaskDefinition(taskID: "boom", type: "fail")]))
        let scheduler = Task { [scheduler = fleet.scheduler([])] in
            while !Task.isCancelled {
                _ = try? await scheduler.runOnce()
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        defer { scheduler.cancel() }
        let worker = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 1)
        let trigger = try await ProcessRunner.roost(["dags", "trigger", "failing", "--wait"], environment: ["ROOST_DATABASE_URL": fleet.database.url])
        #expect(trigger.status == 1)
        #expect(trigger.stdout.contains("boom: failed"))
        worker.signal(SIGTERM)
        #expect(try await worker.waitForExit() == 0)
    }
}
