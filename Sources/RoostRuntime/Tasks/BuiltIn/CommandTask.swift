import Foundation
import RoostCore
import Subprocess
import SystemPackage

/// Runs a program: `params.argv` (no shell), with `params.env` added to the worker's environment.
/// `argv[0]` is a path when it holds a slash, else a name looked up in `PATH`; `roost` is the
/// worker's own binary, so DAGs can call `roost s3 cp …` wherever Roost is installed.
/// Its stdout and stderr go line by line into the task log; a non-zero exit fails the try; on
/// cancellation (timeout, shutdown, lease lost) it gets SIGTERM and, 5 s later, SIGKILL.
///
/// swift-subprocess rather than Foundation's `Process`: on Linux, `Process` lost termination
/// notifications when a worker started several programs at once, and the tries hung.
public struct CommandTask: TaskType {
    public init() {}
    public var name: String { "command" }

    public func validate(params: JSONValue) throws {
        try params.requireKnownKeys(["argv", "env"])
        guard let argv = params["argv"]?.arrayValue, !argv.isEmpty, argv.allSatisfy({ $0.stringValue != nil }) else {
            throw TaskParamError("params.argv must be a non-empty list of strings")
        }
        if let env = params["env"], env != .null {
            guard let object = env.objectValue, object.values.allSatisfy({ $0.stringValue != nil }) else {
                throw TaskParamError("params.env must be a mapping of strings to strings")
            }
        }
    }

    public func run(_ context: TaskContext) async throws {
        let argv = (context.params["argv"]?.arrayValue ?? []).compactMap(\.stringValue)
        var extra: [Environment.Key: String?] = [:]
        for (key, value) in context.params["env"]?.objectValue ?? [:] {
            if let key = Environment.Key(rawValue: key) { extra[key] = value.stringValue }
        }
        var options = PlatformOptions()
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(5))]
        context.log("running \(argv.joined(separator: " "))")

        let result: ExecutionResult<Void, SequenceOutput, SequenceOutput>
        do {
            result = try await Subprocess.run(
                Self.executable(argv[0]), arguments: Arguments(Array(argv.dropFirst())),
                environment: .inherit.updating(extra), platformOptions: options,
                input: .none, output: .sequence, error: .sequence
            ) { execution in
                try await withThrowingTaskGroup { group in
                    group.addTask { for try await line in execution.standardOutput.strings() { context.log(line, stream: "stdout") } }
                    group.addTask { for try await line in execution.standardError.strings() { context.log(line, stream: "stderr") } }
                    try await group.waitForAll()
                }
            }
        } catch let error as SubprocessError {
            try Task.checkCancellation()
            throw CommandFailure(description: "cannot run \(argv[0]): \(error)")
        }
        try Task.checkCancellation()
        switch result.terminationStatus {
        case .exited(0): return
        case .exited(let code): throw CommandFailure(description: "\(argv[0]) exited with status \(code)")
        case .signaled(let signal): throw CommandFailure(description: "\(argv[0]) was killed by signal \(signal)")
        }
    }
}

extension CommandTask {
    static func executable(_ name: String) -> Executable {
        if name.contains("/") { return .path(FilePath(name)) }
        if name == "roost", let own = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return .path(FilePath(own))
        }
        return .name(name)
    }
}

struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}
