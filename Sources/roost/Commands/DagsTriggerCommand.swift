import ArgumentParser
import Foundation
import RoostCore
import RoostPostgres
import RoostStore

extension DagsCommand {
    struct Trigger: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a manual run of a DAG; with --wait, follow it to its end (non-zero exit if it failed).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The DAG to run.") var dag: String
        @Option(help: "Run conf as a JSON object, e.g. '{\"query\": \"#swift\"}'.") var conf: RunConf?
        @Option(help: "Logical date (ISO 8601, e.g. 2026-11-01T00:00:00Z); default now.") var logicalDate: Timestamp?
        @Flag(help: "Wait for the run to end, showing task states, tasks done and records moved.") var wait = false

        func run() async throws {
            let config = try global.bootstrap()
            let pool = try await global.openPool(config, name: "roost dags trigger")
            guard let (definition, hash) = try await DagStore(pool: pool).definition(dag) else {
                throw ValidationError("no DAG '\(dag)' in the database: is `roost scheduler` running with the folder that defines it?")
            }
            let date = logicalDate?.date ?? Date()
            let runs = RunStore(pool: pool)
            guard let run = try await runs.create(dag: definition, definitionHash: hash, type: .manual,
                                                  runID: RunStore.runID(.manual, date),
                                                  interval: RunPlanner.manualInterval(for: definition, logicalDate: date),
                                                  conf: conf?.value ?? .object([:])) else {
                throw ValidationError("\(dag) already has a run for logical date \(Format.date(date))")
            }
            print("created \(run.dagID)/\(run.runID)")
            guard wait else { return }
            let state = try await RunFollower(runs: runs).follow(run)
            if state != .success { throw ExitCode(1) }
        }
    }
}
