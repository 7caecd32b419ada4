import ArgumentParser
import Foundation
import RoostCore
import RoostPostgres
import RoostStore

/// `roost-bench`: Roost's own figures for `make bench` (scripts/bench.sh), against the migrated
/// database that DATABASE_URL (or ROOST_DATABASE_URL, or PG*) names. Not a test: it prints figures,
/// and fails only when the work itself went wrong (a task lost or run twice).
@main
struct RoostBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roost-bench", abstract: "Measure the queue, the scheduler and worker memory with real roost workers.")

    @Option(help: "The roost binary whose workers are measured.") var roost = ".build/release/roost"
    @Option(help: "Noop tasks enqueued for the throughput run.") var tasks = 100_000
    @Option(help: "Worker processes.") var workers = 4
    @Option(help: "Concurrency of each worker in the throughput run: the most tasks a claim can take.") var concurrency = 128
    @Option(help: "Concurrency of the worker whose memory is measured, idle and busy.") var memoryConcurrency = 32
    @Option(help: "Noop tasks the busy worker drains while its memory is measured.") var memoryTasks = 20_000
    @Option(help: "Tasks enqueued one run at a time, paced, for the latency run.") var latencyTasks = 2_000
    @Option(help: "Tasks in the DAG run the scheduler creates.") var dagrunTasks = 10_000
    @Option(help: "Jobs/s of queue_limit.sh, to print the ratio.") var limitJobsPerS: Double?
    @Option(help: "PostgreSQL CPU per job of queue_limit.sh, in µs, to print the ratio.") var limitPgCpuUsPerJob: Double?
    @Option(help: "Jobs/s of pgqueuer_peer.py, to print the ratio.") var peerJobsPerS: Double?
    @Option(help: "Folder for the workers' logs.") var logDirectory = ".run/bench"

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let url = environment["DATABASE_URL"] ?? environment["ROOST_DATABASE_URL"] ?? ""
        let settings = PostgresSettings(conninfo: url, applicationName: "roost-bench")
        let pool = PostgresPool(settings: settings, size: 2)
        let report = BenchReport()
        let queue = QueueBenchmark(pool: pool, queue: "bench")

        report.section("worker memory, idle")
        let idle = WorkerFleet(roost: roost, logDirectory: logDirectory)
        try idle.start(count: 1, queue: "bench_idle", concurrency: memoryConcurrency)
        try await Task.sleep(for: .seconds(3))
        report.figure("worker.idle_rss_mb", try idle.peakRSSMiB(), "MiB", note: "VmHWM after 3 s idle, concurrency \(memoryConcurrency)")
        await idle.stop()

        report.section("worker memory, busy: one worker × concurrency \(memoryConcurrency) draining \(memoryTasks) noop tasks")
        let busyQueue = QueueBenchmark(pool: pool, queue: "bench_busy")
        _ = try await busyQueue.enqueue(dagID: "bench_busy", runs: 1, tasksPerRun: memoryTasks)
        let busy = WorkerFleet(roost: roost, logDirectory: logDirectory)
        try busy.start(count: 1, queue: "bench_busy", concurrency: memoryConcurrency)
        try await busyQueue.waitUntilDrained(timeout: .seconds(600))
        report.figure("worker.busy_rss_mb", try busy.peakRSSMiB(), "MiB", note: "VmHWM after the drain")
        await busy.stop()

        report.section("scheduler: one DAG run of \(dagrunTasks) tasks")
        let dagrun = try await SchedulerBenchmark(pool: pool, settings: settings).createRun(tasks: dagrunTasks)
        report.figure("scheduler.dagrun_10k_tasks_s", dagrun.seconds, "s", decimals: 3,
                      note: "one tick: store the definition, create the run, queue \(dagrun.tasksQueued) tasks")

        report.section("queue: \(tasks) noop tasks, \(workers) workers × concurrency \(concurrency)")
        let runs = max(1, tasks / 10_000)
        let enqueueSeconds = try await queue.enqueue(dagID: "bench_throughput", runs: runs, tasksPerRun: tasks / runs)
        report.note(String(format: "enqueued %d tasks in %d runs: %.0f tasks/s", tasks, runs, Double(tasks) / enqueueSeconds))
        // As bench.sh does before the limit and the peer: no phase pays for the last one's dirty buffers.
        try await pool.query("CHECKPOINT")
        let fleet = WorkerFleet(roost: roost, logDirectory: logDirectory)
        let start = try await queue.databaseNow()
        try fleet.start(count: workers, queue: "bench", concurrency: concurrency)
        let server = try? ServerCPU(backendPID: try await pool.query("SELECT pg_backend_pid()")[0].decode(at: 0))
        let serverCPUBefore = try server?.seconds()
        let transactionsBefore = try await queue.committedTransactions()
        try await queue.waitUntilDrained(timeout: .seconds(600))
        let transactions = try await queue.committedTransactions() - transactionsBefore
        let workerCPU = try fleet.cpuSeconds()
        let serverCPU = try serverCPUBefore.flatMap { before in try server.map { try $0.seconds() - before } }
        let throughput = try await queue.throughput(dagID: "bench_throughput", since: start)
        report.note(try await queue.verifyOneAttemptEach(dagID: "bench_throughput", expected: tasks / runs * runs))
        report.figure("queue.tasks_per_s", throughput.tasksPerSecond, "tasks/s", decimals: 0,
                      note: String(format: "%d tasks in %.2f s, from starting the workers to the last completion",
                                   throughput.tasks, throughput.seconds))
        report.note(String(format: "per task: %.2f transactions, %.0f µs of worker CPU (%.1f s in all)",
                           Double(transactions) / Double(throughput.tasks), workerCPU * 1e6 / Double(throughput.tasks), workerCPU))
        if let serverCPU {
            let perTask = serverCPU * 1e6 / Double(throughput.tasks)
            report.figure("queue.pg_cpu_us_per_task", perTask, "us", note: String(format: "PostgreSQL CPU, %.1f s in all", serverCPU))
            if let limitPgCpuUsPerJob {
                report.figure("queue.pg_cpu_ratio_vs_limit", limitPgCpuUsPerJob / perTask, "x", decimals: 2,
                              note: String(format: "the limit's %.1f µs per job over Roost's per task", limitPgCpuUsPerJob))
            }
        }
        if let limitJobsPerS {
            report.figure("queue.ratio_vs_limit", throughput.tasksPerSecond / limitJobsPerS, "x", decimals: 2,
                          note: String(format: "queue_limit.sh --batch 50: %.0f jobs/s", limitJobsPerS))
        }
        if let peerJobsPerS {
            report.figure("queue.ratio_vs_pgqueuer", throughput.tasksPerSecond / peerJobsPerS, "x", decimals: 2,
                          note: String(format: "pgqueuer_peer.py --procs 2 --batch 100: %.0f jobs/s", peerJobsPerS))
        }
        report.note(String(format: "largest worker VmHWM at concurrency %d: %.1f MiB", concurrency, try fleet.peakRSSMiB()))

        let latencyRuns = max(1, latencyTasks / 10)
        report.section("latency: \(latencyRuns) runs of 10 tasks, one every 10 ms, to the same idle workers")
        _ = try await queue.enqueue(dagID: "bench_latency", runs: latencyRuns, tasksPerRun: 10, pace: .milliseconds(10))
        try await queue.waitUntilDrained(timeout: .seconds(120))
        let latency = try await queue.latency(dagID: "bench_latency")
        report.note("queued→running over \(latency.tasks) tasks; max \(String(format: "%.1f", latency.max)) ms")
        report.figure("queue.latency_p50_ms", latency.p50, "ms", decimals: 2)
        report.figure("queue.latency_p95_ms", latency.p95, "ms", decimals: 2)
        report.figure("queue.latency_p99_ms", latency.p99, "ms", decimals: 2)
        await fleet.stop()
        await pool.close()
    }
}
