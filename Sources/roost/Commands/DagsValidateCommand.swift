import ArgumentParser
import RoostCore
import RoostPostgres
import RoostRuntime
import RoostStore

extension DagsCommand {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every DAG file; print each error with its file, line, DAG and task; exit non-zero on any.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "The folder to check (default: scheduler.dags_folder).") var folder: String?

        func run() throws {
            let config = try global.loadConfig()
            let path = folder ?? config.scheduler.dagsFolder
            // Validation never runs a task, so this pool never connects.
            let pool = PostgresPool(settings: PostgresSettings(config.database, applicationName: "roost dags validate"), size: 1)
            let (dags, errors) = DagFolder(path: path, registry: try .roost(config, pool: pool)).load()
            for error in errors { print(error) }
            guard errors.isEmpty else {
                print("\(errors.count) error(s) in \(path)")
                throw ExitCode(1)
            }
            print("\(dags.count) DAG(s) valid in \(path): \(dags.map(\.dagID).joined(separator: ", "))")
        }
    }
}
