import Foundation
import Logging
import RoostCore
import RoostPostgres
import RoostRuntime
import RoostStore

/// The scheduler's time to create and queue one DAG run: one `Scheduler.runOnce` tick over a DAG
/// of independent noop tasks that is due now (it also stores the DAG's definition, as a first
/// tick after a DAG changes does). The tasks go to a queue no worker serves.
struct SchedulerBenchmark {
    let pool: PostgresPool
    let settings: PostgresSettings

    struct Result {
        let seconds: Double
        let tasksQueued: Int
    }

    func createRun(tasks: Int) async throws -> Result {
        var dag = QueueBenchmark.noopDag("bench_dagrun", tasks: tasks, queue: "bench_dagrun")
        dag.schedule = try Schedule.parse("@daily")
        dag.startDate = Date().addingTimeInterval(-2 * 86_400)
        let definition = dag
        var logger = Logger(label: "roost.bench.scheduler")
        logger.logLevel = .warning
        let scheduler = Scheduler(pollInterval: .seconds(1), settings: settings, pool: pool,
                                  source: { ([definition], []) }, logger: logger)
        let started = ContinuousClock.now
        let tick = try await scheduler.runOnce()
        let seconds = (ContinuousClock.now - started).seconds
        let queued: Int = try await pool.query(
            "SELECT count(*) FROM roost.task_instances WHERE queue = 'bench_dagrun' AND state = 'queued'")[0].decode(at: 0)
        guard tick.runsCreated == 1, queued == tasks else {
            throw BenchError("expected one run with \(tasks) queued tasks; the tick created \(tick.runsCreated) runs, \(queued) tasks queued")
        }
        return Result(seconds: seconds, tasksQueued: queued)
    }
}
