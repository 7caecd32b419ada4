import RoostCore

/// Sleeps `params.seconds` (default 1), then succeeds; stops at once when cancelled.
public struct SleepTask: TaskType {
    public init() {}
    public var name: String { "sleep" }

    public func validate(params: JSONValue) throws {
        try params.requireKnownKeys(["seconds"])
        if let seconds = try params.optionalNumber("seconds"), seconds < 0 {
            throw TaskParamError("params.seconds must not be negative")
        }
    }

    public func run(_ context: TaskContext) async throws {
        let seconds = try context.params.optionalNumber("seconds") ?? 1
        try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
    }
}
