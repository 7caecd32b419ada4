import RoostCore

/// Does nothing, successfully: for tests, benchmarks and DAG scaffolding.
public struct NoopTask: TaskType {
    public init() {}
    public var name: String { "noop" }
    public func validate(params: JSONValue) throws { try params.requireKnownKeys([]) }
    public func run(_ context: TaskContext) async throws {}
}
