import Foundation
import RoostPostgres
import RoostTestSupport
import Testing

/// `roost scheduler` and `roost dags validate` on DAG files, as users run them.
@Suite struct SchedulerCommandTests {
    func folder(_ files: [String: String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dags-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: "\(path)/\(name)", atomically: true, encoding: .utf8) }
        return path
    }

    @Test func validateReportsEveryErrorWithFileAndLine() async throws {
        let path = try folder([
            "good.yaml": "dag_id: good\ntasks:\n  - task_id: a\n    type: noop\n",
            "bad.yaml": "dag_id: bad\ntasks:\n  - task_id: a\n    type: nope\n  - task_id: b\n    type: noop\n    upstream: [zz]\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await ProcessRunner.roost(["dags", "validate", "--folder", path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("bad.yaml:4: dag 'bad', task 'a': unknown task type 'nope'"))
        #expect(result.stdout.contains("bad.yaml:7: dag 'bad', task 'b': unknown upstream task 'zz'"))
        #expect(result.stdout.contains("2 error(s)"))
        let good = try await ProcessRunner.roost(["dags", "validate", "--folder", try folder(["g.yaml": "dag_id: g\ntasks:\n  - {task_id: a, type: noop}\n"])])
        #expect(good.status == 0)
        #expect(good.stdout.contains("1 DAG(s) valid"))
    }

    @Test func theSchedulerProcessCatchesUpAndAWorkerRunsItAll() async throws {
        let database = try await TestDatabase.create(migrated: true)
        // On an hour boundary three hours ago: exactly three hourly intervals have ended since.
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 3600).rounded(.down) * 3600 - 3 * 3600)
        let formatter = ISO8601DateFormatter()
        let path = try folder(["hourly.yaml": """
            dag_id: hourly
            schedule: "@hourly"
            start_date: \(formatter.string(from: start))
            catchup: true
            tasks:
              - {task_id: extract, type: noop}
              - {task_id: load, type: noop, upstream: [extract]}
            """])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let env = ["ROOST_DATABASE_URL": database.url, "ROOST_SCHEDULER_DAGS_FOLDER": path, "ROOST_SCHEDULER_POLL_INTERVAL": "200ms"]
        let scheduler = try RoostProcess(["scheduler"], environment: env)
        let worker = try WorkerProcess(database: database, queues: "default", concurrency: 4)
        let connection = try await database.connect()
        try await eventually(timeout: .seconds(60), "three hourly runs succeed") {
            try await connection.query("SELECT count(*) FROM roost.dag_runs WHERE state = 'success'")[0].decode(at: 0, as: Int.self) >= 3
        }
        // (A fourth run appears only if an hour ends during the test.)
        #expect(try await connection.query("SELECT count(*) FROM roost.task_attempts")[0].decode(at: 0, as: Int.self)
                == 2 * connection.query("SELECT count(*) FROM roost.dag_runs")[0].decode(at: 0, as: Int.self))
        #expect(try await connection.query("SELECT count(DISTINCT logical_date) = count(*) FROM roost.dag_runs")[0].decode(at: 0, as: Bool.self))
        for process in [scheduler.signal, worker.signal] { process(SIGTERM) }
        #expect(try await scheduler.waitForExit() == 0)
        #expect(try await worker.waitForExit() == 0)
    }

    @Test func jsonLogsAreOneObjectPerLine() async throws {
        let database = try await TestDatabase.create()
        let result = try await ProcessRunner.roost(["db", "migrate", "--log-format", "json"], environment: ["ROOST_DATABASE_URL": database.url])
        #expect(result.status == 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["msg"] as? String == "applied migration")
            #expect(object?["level"] as? String == "info")
        }
    }
}
