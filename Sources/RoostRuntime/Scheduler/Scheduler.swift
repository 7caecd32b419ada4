import Foundation
import Logging
import RoostCore
import RoostPostgres
import RoostStore
import ServiceLifecycle
import Synchronization

/// Where the scheduler gets DAG definitions: valid DAGs, plus the errors of files that are not.
public typealias DagSource = @Sendable () -> (dags: [DagDefinition], errors: [String])

/// `roost scheduler`: stores DAG definitions, creates due runs, queues tasks whose upstreams are
/// done, takes back expired leases and settles run states. Every step is safe with a second
/// scheduler running: the database's constraints and row locks decide, not the scheduler.
public final class Scheduler: Service, Sendable {
    /// What one tick did; tests call `runOnce` and check it.
    public struct TickResult: Sendable, Equatable {
        public var runsCreated = 0
        public var tasksQueued = 0
        public var tasksUpstreamFailed = 0
        public var leasesReaped = 0
        public var runsFinished = 0
    }

    let pollInterval: Duration
    let settings: PostgresSettings
    let source: DagSource
    let logger: Logger
    let dags: DagStore
    let runs: RunStore
    let queue: TaskQueueStore
    let wake = WakeSignal()
    /// Serialized definitions already stored, so unchanged DAGs cost no writes.
    private let synced = Mutex<[String: (serialized: String, hash: String)]>([:])
    private let lastErrors = Mutex<[String]>([])

    public init(pollInterval: Duration, settings: PostgresSettings, pool: PostgresPool, source: @escaping DagSource, logger: Logger) {
        self.pollInterval = pollInterval
        self.settings = settings
        self.source = source
        self.logger = logger
        self.dags = DagStore(pool: pool)
        self.runs = RunStore(pool: pool)
        self.queue = TaskQueueStore(pool: pool)
    }

    public func run() async throws {
        logger.info("scheduler started", metadata: ["poll_interval": "\(DurationParser.format(pollInterval))"])
        let listener = PostgresListener(settings: settings, channels: [RunStore.schedulerChannel])
        defer { listener.stop() }
        let wake = self.wake
        let notifications = Task {
            for await _ in listener.events { wake.signal() }
        }
        defer { notifications.cancel() }
        await cancelWhenGracefulShutdown {
            var backoff = Duration.milliseconds(200)
            while !Task.isCancelled {
                do {
                    let result = try await self.runOnce()
                    backoff = .milliseconds(200)
                    if result != TickResult() { self.logger.debug("tick", metadata: ["result": "\(result)"]) }
                } catch is CancellationError {
                    return
                } catch {
                    self.logger.error("scheduler tick failed; retrying", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(10))
                }
                await wake.wait(timeout: self.pollInterval)
            }
        }
        logger.info("scheduler stopped")
    }

    /// One pass over everything the scheduler does.
    public func runOnce(now: Date = Date()) async throws -> TickResult {
        var result = TickResult()
        let (definitions, errors) = source()
        reportErrors(errors)
        let paused = Set(try await dags.list().filter(\.isPaused).map(\.dagID))
        for dag in definitions {
            let hash = try await sync(dag)
            guard !paused.contains(dag.dagID), dag.schedule != nil else { continue }
            result.runsCreated += try await createDueRuns(dag, hash: hash, now: now)
        }
        let promoted = try await queue.promoteReadyTasks()
        result.tasksQueued = promoted.queued
        result.tasksUpstreamFailed = promoted.upstreamFailed
        result.leasesReaped = try await queue.reapExpiredLeases(now: now).count
        result.runsFinished = try await runs.settle().filter { $0.state.isFinal }.count
        return result
    }

    private func sync(_ dag: DagDefinition) async throws -> String {
        let serialized = dag.serialized()
        if let known = synced.withLock({ $0[dag.dagID] }), known.serialized == serialized { return known.hash }
        let hash = try await dags.sync(dag)
        synced.withLock { $0[dag.dagID] = (serialized, hash) }
        logger.info("stored DAG definition", metadata: ["dag": "\(dag.dagID)", "hash": "\(hash.prefix(12))"])
        return hash
    }

    private func createDueRuns(_ dag: DagDefinition, hash: String, now: Date) async throws -> Int {
        let room = dag.maxActiveRuns - (try await runs.activeRunCount(dagID: dag.dagID))
        guard room > 0 else { return 0 }
        let last = try await runs.lastScheduledLogicalDate(dagID: dag.dagID)
        var created = 0
        for interval in RunPlanner.dueIntervals(for: dag, lastLogicalDate: last, now: now, limit: room) {
            if let run = try await runs.create(dag: dag, definitionHash: hash, type: .scheduled, interval: interval) {
                created += 1
                logger.info("created run", metadata: ["dag": "\(dag.dagID)", "run": "\(run.runID)"])
            }
        }
        return created
    }

    /// Logs DAG file errors when they change, not on every tick.
    private func reportErrors(_ errors: [String]) {
        let changed = lastErrors.withLock { last in
            defer { last = errors }
            return last != errors
        }
        guard changed else { return }
        for error in errors { logger.error("invalid DAG file; its DAG is not scheduled", metadata: ["error": "\(error)"]) }
    }
}
