import Foundation
import Logging
import RoostCore
import RoostPostgres
import RoostStore
import ServiceLifecycle
import Synchronization

/// `roost worker`: claims tasks from its queues, runs them with leases kept alive by heartbeats,
/// and records how each try ended. On graceful shutdown (SIGTERM/SIGINT) it stops claiming, lets
/// running tasks finish within the grace period, releases the rest without consuming a try, and
/// deregisters.
public final class Worker: Service, Sendable {
    /// Why the worker cancelled a running try.
    enum CancelReason: Sendable { case shutdown, leaseLost }

    struct Running: Sendable {
        let task: ClaimedTask
        let context: TaskContext
        let handle: Task<Void, Never>
        var cancelReason: CancelReason?
        /// Set once the try has ended and its result is being written: heartbeats stop covering it.
        var finishing = false
    }

    struct State: Sendable {
        var running: [Int64: Running] = [:]
        var shuttingDown = false
    }

    let config: RoostConfig.Worker
    let settings: PostgresSettings
    let registry: TaskRegistry
    let logger: Logger
    let queue: TaskQueueStore
    /// Claims run on a connection of their own, with the generic plan (see `TaskQueueStore.claimSQL`).
    let claims: TaskQueueStore
    let claimConnection: PostgresPool
    let workers: WorkerStore
    let logs: TaskLogStore
    let completer: Completer
    let state = Mutex(State())
    let wake = WakeSignal()
    let slotFreed = WakeSignal()

    public init(config: RoostConfig.Worker, settings: PostgresSettings, pool: PostgresPool, registry: TaskRegistry, logger: Logger) {
        self.config = config
        self.settings = settings
        self.registry = registry
        self.logger = logger
        self.queue = TaskQueueStore(pool: pool)
        var claimSettings = settings
        claimSettings.sessionSettings.merge(TaskQueueStore.claimSessionSettings) { $1 }
        self.claimConnection = PostgresPool(settings: claimSettings, size: 1)
        self.claims = TaskQueueStore(pool: claimConnection)
        self.workers = WorkerStore(pool: pool)
        self.logs = TaskLogStore(pool: pool)
        self.completer = Completer(store: queue, written: slotFreed, logger: logger)
    }

    public func run() async throws {
        let identity = WorkerIdentity(
            workerID: try await workers.register(hostname: ProcessInfo.processInfo.hostName, pid: getpid(), queues: config.queues,
                                                 concurrency: config.concurrency, version: RoostVersion.current),
            hostname: ProcessInfo.processInfo.hostName, pid: getpid())
        var workerLogger = self.logger
        workerLogger[metadataKey: "worker"] = "\(identity.workerID)"
        let logger = workerLogger
        logger.info("worker started", metadata: ["queues": "\(config.queues.joined(separator: ","))",
                                                 "concurrency": "\(config.concurrency)"])
        let listener = PostgresListener(settings: settings, channels: [RunStore.taskChannel])
        defer { listener.stop() }

        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.wakeOnNotify(listener) }
                group.addTask { await self.heartbeatLoop(identity, logger) }
                group.addTask { await self.reaperLoop(logger) }
                group.addTask { await self.completer.run() }
                group.addTask { await self.logFlushLoop(logger) }
                await self.claimLoop(identity, logger)
                await self.drain(identity, logger)
                self.completer.stop()
                listener.stop()
            }
        } onGracefulShutdown: {
            self.state.withLock { $0.shuttingDown = true }
            self.wake.signal()
            self.slotFreed.signal()
        }
        await claimConnection.close()
        try? await workers.setState(identity.workerID, "stopped")
        logger.info("worker stopped")
    }

    var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    /// Claims as many tasks as there are free slots, in one statement, whenever woken. A successful
    /// try frees its slot once its completion is queued, so the next claim overlaps the write of
    /// the last batch; claiming pauses while more than two batches' worth are still unwritten.
    private func claimLoop(_ identity: WorkerIdentity, _ logger: Logger) async {
        var backoff = Duration.milliseconds(100)
        while !isShuttingDown {
            let free = config.concurrency - state.withLock { $0.running.count }
            guard free > 0, completer.backlog < 2 * config.concurrency else {
                await slotFreed.wait(timeout: config.pollInterval)
                continue
            }
            let claimed: [ClaimedTask]
            do {
                claimed = try await claims.claim(by: identity, queues: config.queues, limit: free, lease: config.leaseTimeout)
                backoff = .milliseconds(100)
            } catch {
                logger.error("claim failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
                continue
            }
            for task in claimed { start(task, identity, logger) }
            if claimed.count < free {
                // Nothing more is claimable now: wait for a NOTIFY, or poll with jitter.
                let jitter = Double.random(in: 0.8...1.2)
                await wake.wait(timeout: .milliseconds(Int64(Double(config.pollInterval.milliseconds) * jitter)))
            }
        }
    }

    private func start(_ task: ClaimedTask, _ identity: WorkerIdentity, _ logger: Logger) {
        let context = TaskContext(task: task, logger: logger)
        state.withLock { state in
            let handle = Task { await self.execute(task, context, logger) }
            state.running[task.attemptID] = Running(task: task, context: context, handle: handle)
        }
    }

    /// Runs one try and records its end: success through the batching completer, anything else at once.
    private func execute(_ task: ClaimedTask, _ context: TaskContext, _ logger: Logger) async {
        let end: TryEnd
        if let type = registry.type(named: task.taskType) {
            end = await TryExecutor.run(type, context, timeout: task.executionTimeout)
        } else {
            end = .threw("this worker has no task type '\(task.taskType)' (it has: \(registry.names.joined(separator: ", ")))")
        }
        let reason = state.withLock { state -> CancelReason? in
            state.running[task.attemptID]?.finishing = true
            return state.running[task.attemptID]?.cancelReason
        }
        let result: TaskResult?
        switch (end, reason) {
        case (_, .leaseLost): result = nil
        case (.cancelled, _), (_, .shutdown): result = .released(metrics: context.metrics)
        case (.returned, _): result = .success(metrics: context.metrics)
        case (.threw(let message), _):
            context.log("try \(task.tryNumber) failed: \(message)")
            result = .failure(.error, error: message, metrics: context.metrics)
        case (.timedOut(let limit), _):
            let message = "execution timeout of \(DurationParser.format(limit)) exceeded"
            context.log("try \(task.tryNumber) failed: \(message)")
            result = .failure(.timedOut, error: message, metrics: context.metrics)
        }
        await record(result, of: task, context: context, logger: logger)
        leaveSlot(task)
    }

    /// Frees the try's slot; a no-op when it already left.
    private func leaveSlot(_ task: ClaimedTask) {
        guard state.withLock({ $0.running.removeValue(forKey: task.attemptID) }) != nil else { return }
        slotFreed.signal()
    }

    private func record(_ result: TaskResult?, of task: ClaimedTask, context: TaskContext, logger: Logger) async {
        let lines = context.drainLines()
        do {
            try await logs.append(attemptID: task.attemptID, lines: lines)
            let accepted: Bool
            switch result {
            case nil:
                accepted = false
            case .success(let metrics):
                accepted = await completer.complete(task, metrics: metrics) { leaveSlot(task) }
            case let result?:
                accepted = try await queue.finish(task, result: result)
            }
            if !accepted {
                logger.warning("try abandoned: its lease was taken back, so this worker may not record its end",
                               metadata: ["task": "\(task.dagID)/\(task.runID)/\(task.taskID)", "try": "\(task.tryNumber)"])
            }
        } catch {
            // The lease will expire and the reaper will count the try as failed: nothing is lost.
            logger.error("cannot record the end of a try", metadata: ["task": "\(task.taskID)", "error": "\(error)"])
        }
    }

    /// Extends the leases of every running try; a try whose lease was taken back is cancelled.
    private func heartbeatLoop(_ identity: WorkerIdentity, _ logger: Logger) async {
        var lastSuccess = ContinuousClock.now
        while !Task.isCancelled {
            await wake(after: config.heartbeatInterval)
            if isShuttingDown && state.withLock({ $0.running.isEmpty }) { return }
            let held = state.withLock { $0.running.values.filter { !$0.finishing }.map(\.task) }
            do {
                let kept = try await queue.heartbeat(worker: identity, attempts: held, lease: config.leaseTimeout)
                lastSuccess = .now
                cancel(held.filter { !kept.contains($0.attemptID) }, reason: .leaseLost, logger: logger)
            } catch {
                logger.error("heartbeat failed", metadata: ["error": "\(error)"])
                // Past the lease timeout another worker may hold these tries: stop them.
                if ContinuousClock.now - lastSuccess > config.leaseTimeout {
                    cancel(held, reason: .leaseLost, logger: logger)
                }
            }
        }
    }

    private func cancel(_ tasks: [ClaimedTask], reason: CancelReason, logger: Logger) {
        for task in tasks {
            let handle = state.withLock { state -> Task<Void, Never>? in
                guard var running = state.running[task.attemptID], !running.finishing, running.cancelReason == nil else { return nil }
                running.cancelReason = reason
                state.running[task.attemptID] = running
                return running.handle
            }
            guard let handle else { continue }
            if reason == .leaseLost {
                logger.warning("lease lost; abandoning the try", metadata: ["task": "\(task.dagID)/\(task.runID)/\(task.taskID)"])
            }
            handle.cancel()
        }
    }

    /// Writes what running tries have logged so far, so `roost tasks logs` follows a long task.
    private func logFlushLoop(_ logger: Logger) async {
        while !isShuttingDown || state.withLock({ !$0.running.isEmpty }) {
            try? await Task.sleep(for: .seconds(1))
            let contexts = state.withLock { $0.running.values.filter { !$0.finishing }.map(\.context) }
            for context in contexts {
                let lines = context.drainLines()
                guard !lines.isEmpty else { continue }
                do {
                    try await logs.append(attemptID: context.task.attemptID, lines: lines)
                } catch {
                    logger.error("cannot store task log lines", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Any worker takes back tries whose lease expired, so a fleet without a scheduler still heals.
    private func reaperLoop(_ logger: Logger) async {
        while !isShuttingDown {
            await wake(after: .milliseconds(Int64(Double(config.leaseTimeout.milliseconds) * Double.random(in: 0.25...0.5))))
            guard !isShuttingDown else { return }
            do {
                let reaped = try await queue.reapExpiredLeases()
                if !reaped.isEmpty {
                    logger.notice("took back tasks whose lease expired", metadata: ["count": "\(reaped.count)"])
                    wake.signal()
                }
            } catch {
                logger.error("reaper failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func wakeOnNotify(_ listener: PostgresListener) async {
        for await event in listener.events {
            switch event {
            case .connected: wake.signal()
            case .notification(_, let payload) where config.queues.contains(payload) || payload.isEmpty: wake.signal()
            case .notification: break
            }
        }
    }

    /// Sleeps, but returns early when shutdown begins.
    private func wake(after delay: Duration) async {
        let deadline = ContinuousClock.now + delay
        while !isShuttingDown, ContinuousClock.now < deadline {
            try? await Task.sleep(for: min(deadline - ContinuousClock.now, .milliseconds(200)))
        }
    }

    /// Waits up to the grace period for running tries, then releases the rest to the queue.
    private func drain(_ identity: WorkerIdentity, _ logger: Logger) async {
        try? await workers.setState(identity.workerID, "stopping")
        let running = state.withLock { $0.running.count }
        logger.info("shutting down", metadata: ["running": "\(running)", "grace": "\(DurationParser.format(config.shutdownGrace))"])
        let deadline = ContinuousClock.now + config.shutdownGrace
        while state.withLock({ !$0.running.isEmpty }), ContinuousClock.now < deadline {
            await slotFreed.wait(timeout: .milliseconds(100))
        }
        let left = state.withLock { $0.running.values.map(\.task) }
        if !left.isEmpty {
            logger.notice("releasing unfinished tasks to the queue", metadata: ["count": "\(left.count)"])
            cancel(left, reason: .shutdown, logger: logger)
        }
        let cancelDeadline = ContinuousClock.now + .seconds(10)
        while state.withLock({ !$0.running.isEmpty }), ContinuousClock.now < cancelDeadline {
            await slotFreed.wait(timeout: .milliseconds(100))
        }
        // A task type that ignores cancellation must not keep the worker alive: give its task back.
        let stuck = state.withLock { $0.running.values.filter { !$0.finishing } }
        for running in stuck {
            logger.error("try did not stop when cancelled; releasing it to the queue",
                         metadata: ["task": "\(running.task.dagID)/\(running.task.runID)/\(running.task.taskID)"])
            await record(.released(metrics: running.context.metrics), of: running.task, context: running.context, logger: logger)
            state.withLock { _ = $0.running.removeValue(forKey: running.task.attemptID) }
        }
    }
}
