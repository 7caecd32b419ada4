import ArgumentParser
import RoostCore
import RoostStore

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "DAG runs.", subcommands: [List.self, Wait.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List runs, newest first.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only this DAG's runs.") var dag: String?
        @Option(help: "Only runs in this state (queued, running, success, failed).") var state: DagRunState?
        @Option(help: "At most this many.") var limit = 50

        func run() async throws {
            let config = try global.bootstrap()
            let pool = try await global.openPool(config, name: "roost runs list")
            var table = Table("dag_id", "run_id", "type", "state", "logical_date", "started_at", "ended_at", "duration")
            for run in try await RunStore(pool: pool).list(dagID: dag, state: state, limit: limit) {
                table.add(run.dagID, run.runID, run.runType, run.state.rawValue, Format.date(run.logicalDate),
                          Format.date(run.startedAt), Format.date(run.endedAt), Format.duration(from: run.startedAt, to: run.endedAt))
            }
            table.print(as: output.output)
        }
    }
}

extension RunsCommand {
    struct Wait: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow a run to its end: task states, tasks done and records moved (non-zero exit if it failed).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The run: DAG/RUN_ID, or a RUN_ID only one DAG has.") var run: String

        func run() async throws {
            let config = try global.bootstrap()
            let pool = try await global.openPool(config, name: "roost runs wait")
            let runs = RunStore(pool: pool)
            let found = try await runs.resolve(run)
            print("following \(found.dagID)/\(found.runID)")
            if try await RunFollower(runs: runs).follow(found) != .success { throw ExitCode(1) }
        }
    }
}

extension DagRunState: ExpressibleByArgument {}
