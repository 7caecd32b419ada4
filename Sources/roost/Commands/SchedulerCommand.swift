import ArgumentParser
import Logging
import RoostCore
import RoostPostgres
import RoostRuntime
import RoostStore
import ServiceLifecycle

struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Run the scheduler: create due runs from the DAG folder and queue ready tasks, until SIGTERM/SIGINT.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let config = try global.bootstrap()
        let logger = Logger(label: "roost.scheduler")
        let settings = PostgresSettings(config.database, applicationName: "roost scheduler", reconnectWindow: .seconds(30))
        let pool = PostgresPool(settings: settings, size: config.database.poolSize)
        let folder = DagFolder(path: config.scheduler.dagsFolder, registry: try .roost(config, pool: pool))
        let scheduler = Scheduler(pollInterval: config.scheduler.pollInterval, settings: settings, pool: pool,
                                  source: folder.source, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: scheduler)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
