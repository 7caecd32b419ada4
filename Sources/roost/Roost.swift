import ArgumentParser
import RoostCore

@main
struct Roost: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roost",
        abstract: "Twitter/X data pipelines (X API v2 → Kafka → S3) on a worker fleet coordinated through PostgreSQL.",
        version: RoostVersion.current,
        subcommands: [VersionCommand.self, ConfigCommand.self, DBCommand.self, SchedulerCommand.self, WorkerCommand.self,
                      DagsCommand.self, RunsCommand.self, TasksCommand.self, WorkersCommand.self,
                      KafkaCommand.self, TwitterCommand.self, XCommand.self, S3Command.self, DevCommand.self])
}
