import ArgumentParser
import Logging
import RoostCore
import RoostPostgres
import RoostRuntime
import RoostStore
import ServiceLifecycle

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker: claim tasks from its queues and run them until SIGTERM/SIGINT.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Comma-separated queues to claim from (default: worker.queues).")
    var queues: String?

    @Option(help: "Tasks run at once (default: worker.concurrency).")
    var concurrency: Int?

    func validate() throws {
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if let queues, queues.split(separator: ",").isEmpty { throw ValidationError("--queues must name at least one queue") }
    }

    func run() async throws {
        var config = try global.bootstrap()
        if let queues { config.worker.queues = queues.split(separator: ",").map { $0.trimmingWhitespace() } }
        if let concurrency { config.worker.concurrency = concurrency }
        let logger = Logger(label: "roost.worker")
        // Pool: one connection per few slots, plus heartbeat, reaper and completer.
        let settings = PostgresSettings(config.database, applicationName: "roost worker", reconnectWindow: .seconds(30))
        let pool = PostgresPool(settings: settings, size: max(config.database.poolSize, 3))
        let worker = Worker(config: config.worker, settings: settings, pool: pool, registry: try .roost(config, pool: pool), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: worker)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
