import ArgumentParser
import RoostStore

struct WorkersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workers", abstract: "The worker fleet.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List workers with their running tasks.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Include stopped and lost workers.") var all = false

        func run() async throws {
            let config = try global.bootstrap()
            let pool = try await global.openPool(config, name: "roost workers list")
            var table = Table("id", "host", "pid", "state", "queues", "concurrency", "version", "started_at", "heartbeat_at", "running")
            for worker in try await WorkerStore(pool: pool).list(includeStopped: all) {
                table.add(String(worker.id), worker.hostname, String(worker.pid), worker.state, worker.queues.joined(separator: ","),
                          String(worker.concurrency), worker.version, Format.date(worker.startedAt), Format.date(worker.heartbeatAt),
                          worker.runningTasks.isEmpty ? "-" : worker.runningTasks.joined(separator: " "))
            }
            table.print(as: output.output)
        }
    }
}
