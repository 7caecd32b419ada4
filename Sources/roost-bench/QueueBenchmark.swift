import Foundation
import RoostCore
import RoostPostgres
import RoostStore

/// Queue throughput and queued→running latency, measured from the timestamps the workers record
/// in PostgreSQL (`task_attempts.queued_at`, `started_at`, `ended_at`).
struct QueueBenchmark {
    let pool: PostgresPool
    let queue: String

    struct Throughput {
        let tasks: Int
        let seconds: Double
        var tasksPerSecond: Double { Double(tasks) / seconds }
    }

    struct Latency {
        let tasks: Int
        let p50: Double, p95: Double, p99: Double, max: Double
    }

    /// Creates `runs` manual runs of a DAG of `tasksPerRun` independent noop tasks; every task is
    /// queued at once. Returns the seconds it took.
    func enqueue(dagID: String, runs: Int, tasksPerRun: Int, pace: Duration = .zero) async throws -> Double {
        let dag = Self.noopDag(dagID, tasks: tasksPerRun, queue: queue)
        let hash = try await DagStore(pool: pool).sync(dag)
        let store = RunStore(pool: pool)
        let started = ContinuousClock.now
        let epoch = Date(timeIntervalSince1970: 1_700_000_000)
        for index in 0..<runs {
            let start = epoch.addingTimeInterval(Double(index))
            guard try await store.create(dag: dag, definitionHash: hash, type: .manual, runID: "bench__\(index)",
                                         interval: DataInterval(start: start, end: start)) != nil
            else { throw BenchError("run bench__\(index) of \(dagID) already exists: use a fresh database") }
            if pace > .zero { try await Task.sleep(for: pace) }
        }
        return (ContinuousClock.now - started).seconds
    }

    /// The database's clock, which every recorded timestamp is read against.
    func databaseNow() async throws -> Date {
        try await pool.query("SELECT clock_timestamp()")[0].decode(at: 0)
    }

    /// Transactions committed in this database so far (pg_stat_database, which lags by up to the
    /// stats flush interval: good enough over a run of seconds).
    func committedTransactions() async throws -> Int64 {
        try await pool.query("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")[0].decode(at: 0)
    }

    /// Waits until no task of the queue is queued or running (each found through a partial index of
    /// `task_queue`, so polling stays cheap next to the workers).
    func waitUntilDrained(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await pool.query(Self.unfinishedSQL, queue)[0].decode(at: 0, as: Bool.self) {
            guard ContinuousClock.now < deadline else { throw BenchError("queue \(queue) not drained within \(timeout)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Tasks of `dagID` completed since `start`, over the time from `start` to the last completion.
    func throughput(dagID: String, since start: Date) async throws -> Throughput {
        let row = try await pool.query(Self.completedSQL, dagID)[0]
        let last: Date = try row.decode("last_ended")
        return Throughput(tasks: try row.decode("tasks"), seconds: last.timeIntervalSince(start))
    }

    func latency(dagID: String) async throws -> Latency {
        let row = try await pool.query(Self.latencySQL, dagID)[0]
        return Latency(tasks: try row.decode("tasks"), p50: try row.decode("p50"), p95: try row.decode("p95"),
                       p99: try row.decode("p99"), max: try row.decode("max"))
    }

    /// Checks that every task of `dagID` succeeded with exactly one attempt, recorded as a success.
    func verifyOneAttemptEach(dagID: String, expected: Int) async throws -> String {
        let row = try await pool.query(Self.attemptsSQL, dagID)[0]
        let tasks: Int = try row.decode("tasks"), succeeded: Int = try row.decode("succeeded")
        let attempts: Int = try row.decode("attempts"), successfulAttempts: Int = try row.decode("successful_attempts")
        let summary = "\(succeeded)/\(tasks) tasks succeeded, \(attempts) attempts recorded (\(successfulAttempts) successful)"
        guard tasks == expected, succeeded == expected, attempts == expected, successfulAttempts == expected else {
            throw BenchError("expected \(expected) tasks each with one successful attempt: \(summary)")
        }
        return summary
    }

    static func noopDag(_ dagID: String, tasks: Int, queue: String) -> DagDefinition {
        DagDefinition(dagID: dagID, schedule: nil, startDate: Date(timeIntervalSince1970: 1_700_000_000), maxActiveRuns: 1_000_000,
                      tasks: (0..<tasks).map { TaskDefinition(taskID: "noop_\($0)", type: "noop", args: TaskArgs(queue: queue)) })
    }

    static let unfinishedSQL = """
        SELECT EXISTS (SELECT FROM roost.task_queue WHERE lease_owner IS NULL AND queue = $1)
            OR EXISTS (SELECT FROM roost.task_queue WHERE lease_owner IS NOT NULL AND queue = $1)
        """

    static let completedSQL = """
        SELECT count(*)::int8 AS tasks, max(ti.ended_at) AS last_ended
        FROM roost.task_instances ti JOIN roost.dag_runs r ON r.id = ti.dag_run_id
        WHERE r.dag_id = $1 AND ti.state = 'success'
        """

    static let latencySQL = """
        WITH waits AS (
            SELECT extract(epoch FROM a.started_at - a.queued_at)::float8 * 1000 AS ms
            FROM roost.task_attempts a JOIN roost.task_instances ti ON ti.id = a.task_instance_id
            JOIN roost.dag_runs r ON r.id = ti.dag_run_id
            WHERE r.dag_id = $1
        )
        SELECT count(*)::int8 AS tasks,
               percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
               percentile_disc(0.95) WITHIN GROUP (ORDER BY ms) AS p95,
               percentile_disc(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
               max(ms) AS max
        FROM waits
        """

    static let attemptsSQL = """
        SELECT count(DISTINCT ti.id)::int8 AS tasks,
               count(DISTINCT ti.id) FILTER (WHERE ti.state = 'success')::int8 AS succeeded,
               count(a.id)::int8 AS attempts,
               count(a.id) FILTER (WHERE a.state = 'success')::int8 AS successful_attempts
        FROM roost.task_instances ti JOIN roost.dag_runs r ON r.id = ti.dag_run_id
        LEFT JOIN roost.task_attempts a ON a.task_instance_id = ti.id
        WHERE r.dag_id = $1
        """
}
