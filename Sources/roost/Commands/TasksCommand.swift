import ArgumentParser
import RoostCore
import RoostStore

struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks", abstract: "Task instances of a run.", subcommands: [List.self, Logs.self, Clear.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a run's tasks with their state and tries.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The run, as DAG/RUN_ID (or RUN_ID when unique).") var run: String

        func run() async throws {
            let config = try global.bootstrap()
            let store = RunStore(pool: try await global.openPool(config, name: "roost tasks list"))
            let found = try await store.resolve(run)
            var table = Table("task_id", "type", "state", "try", "max_tries", "queue", "started_at", "ended_at", "duration")
            for task in try await store.taskInstances(of: found) {
                table.add(task.taskID, task.taskType, task.state, String(task.tryNumber), String(task.maxTries), task.queue,
                          Format.date(task.startedAt), Format.date(task.endedAt), Format.duration(from: task.startedAt, to: task.endedAt))
            }
            table.print(as: output.output)
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the log of a task's try (the latest by default).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The run, as DAG/RUN_ID (or RUN_ID when unique).") var run: String
        @Argument(help: "The task id.") var task: String
        @Option(name: .customLong("try"), help: "Which try.") var tryNumber: Int?

        func run() async throws {
            let config = try global.bootstrap()
            let pool = try await global.openPool(config, name: "roost tasks logs")
            let found = try await RunStore(pool: pool).resolve(run)
            guard let log = try await TaskLogStore(pool: pool).lines(dagID: found.dagID, runID: found.runID, taskID: task, tryNumber: tryNumber) else {
                throw ValidationError("task \(task) of \(found.dagID)/\(found.runID) has no try\(tryNumber.map { " \($0)" } ?? " yet")")
            }
            print("# \(found.dagID)/\(found.runID)/\(task), try \(log.tryNumber)")
            for line in log.lines { print("\(Format.date(line.loggedAt)) [\(line.stream)] \(line.text)") }
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run tasks again, like Airflow's clear: the whole run, or one task and everything downstream of it.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The run, as DAG/RUN_ID (or RUN_ID when unique).") var run: String
        @Argument(help: "Clear only this task and its downstream tasks.") var task: String?

        func run() async throws {
            let config = try global.bootstrap()
            let pool = try await global.openPool(config, name: "roost tasks clear")
            let found = try await RunStore(pool: pool).resolve(run)
            let cleared = try await TaskQueueStore(pool: pool).clear(dagID: found.dagID, runID: found.runID, taskID: task)
            print(cleared.isEmpty ? "nothing to clear (running tasks are left alone)" : "cleared: \(cleared.joined(separator: ", "))")
        }
    }
}
