import Foundation
import RoostCore
import Synchronization

/// Runs a program: `params.argv` (no shell), with `params.env` added to the worker's environment.
/// Its stdout and stderr go line by line into the task log; a non-zero exit fails the try; on
/// cancellation (timeout, shutdown) it gets SIGTERM and, 5 s later, SIGKILL.
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
        let extra = (context.params["env"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let stdout = LineForwarder(stream: "stdout", context: context)
        let stderr = LineForwarder(stream: "stderr", context: context)
        process.standardOutput = stdout.pipe
        process.standardError = stderr.pipe
        context.log("running \(argv.joined(separator: " "))")

        let status: Int32 = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
                do {
                    try process.run()
                } catch {
                    process.terminationHandler = nil
                    continuation.resume(throwing: TaskParamError("cannot run \(argv[0]): \(error.localizedDescription)"))
                }
            }
        } onCancel: {
            guard process.isRunning else { return }
            process.terminate()
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + 5) { if process.isRunning { kill(pid, SIGKILL) } }
        }
        await stdout.finished()
        await stderr.finished()
        try Task.checkCancellation()
        guard status == 0 else {
            throw CommandFailure(description: "\(argv[0]) exited with status \(status)")
        }
    }
}

struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}

/// Splits a pipe's output into lines for the task log as it arrives.
final class LineForwarder: Sendable {
    private struct State {
        var partial = Data()
        var ended = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    let pipe = Pipe()
    private let stream: String
    private let context: TaskContext
    private let state = Mutex(State())

    init(stream: String, context: TaskContext) {
        self.stream = stream
        self.context = context
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                self?.end()
            } else {
                self?.consume(data)
            }
        }
    }

    private func consume(_ data: Data) {
        let complete: [String] = state.withLock { state in
            state.partial.append(data)
            guard let lastNewline = state.partial.lastIndex(of: 10) else { return [] }
            let text = String(decoding: state.partial[state.partial.startIndex..<lastNewline], as: UTF8.self)
            state.partial = Data(state.partial[(lastNewline + 1)...])
            return text.components(separatedBy: "\n")
        }
        for line in complete { context.log(line, stream: stream) }
    }

    private func end() {
        let (tail, waiter) = state.withLock { state in
            state.ended = true
            defer { state.partial = Data(); state.waiter = nil }
            return (String(decoding: state.partial, as: UTF8.self), state.waiter)
        }
        if !tail.isEmpty { context.log(tail, stream: stream) }
        waiter?.resume()
    }

    /// Returns once the program's end of the pipe has closed and every line is logged.
    func finished() async {
        await withCheckedContinuation { continuation in
            let ended = state.withLock { state in
                if !state.ended { state.waiter = continuation }
                return state.ended
            }
            if ended { continuation.resume() }
        }
    }
}
