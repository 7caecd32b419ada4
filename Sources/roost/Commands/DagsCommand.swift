import ArgumentParser
import Foundation
import RoostCore
import RoostPostgres
import RoostStore

struct DagsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dags", abstract: "DAG definitions and manual runs.",
        subcommands: [List.self, Validate.self, Trigger.self, Pause.self, Unpause.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the DAGs the scheduler has stored.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let config = try global.bootstrap()
            let pool = try await global.openPool(config, name: "roost dags list")
            var table = Table("dag_id", "schedule", "paused", "active_runs", "definition_hash", "updated_at")
            for dag in try await DagStore(pool: pool).list() {
                table.add(dag.dagID, dag.schedule ?? "manual", String(dag.isPaused), String(dag.activeRuns),
                          String(dag.definitionHash.prefix(12)), Format.date(dag.updatedAt))
            }
            table.print(as: output.output)
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop creating scheduled runs of a DAG.")
        @OptionGroup var global: GlobalOptions
        @Argument var dag: String
        func run() async throws { try await setPaused(global, dag, true) }
    }

    struct Unpause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume creating scheduled runs of a DAG.")
        @OptionGroup var global: GlobalOptions
        @Argument var dag: String
        func run() async throws { try await setPaused(global, dag, false) }
    }

    static func setPaused(_ global: GlobalOptions, _ dag: String, _ paused: Bool) async throws {
        let config = try global.bootstrap()
        let pool = try await global.openPool(config, name: "roost dags pause")
        guard try await DagStore(pool: pool).setPaused(dag, paused) else {
            throw ValidationError("no DAG '\(dag)' in the database (the scheduler stores DAGs from \(config.scheduler.dagsFolder))")
        }
        print("\(dag) \(paused ? "paused" : "unpaused")")
    }
}

/// Reads the run conf given on the command line.
struct RunConf: ExpressibleByArgument {
    let value: JSONValue
    init?(argument: String) {
        guard let parsed = try? JSONDecoder().decode(JSONValue.self, from: Data(argument.utf8)), parsed.objectValue != nil else { return nil }
        value = parsed
    }
    static var defaultCompletionKind: CompletionKind { .default }
}

/// An ISO-8601 timestamp on the command line.
struct Timestamp: ExpressibleByArgument {
    let date: Date
    init?(argument: String) {
        let formatter = ISO8601DateFormatter()
        guard let date = formatter.date(from: argument) else { return nil }
        self.date = date
    }
}
