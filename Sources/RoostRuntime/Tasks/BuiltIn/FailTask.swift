import RoostCore

/// Fails its first `params.times` tries and then succeeds; fails every try when `times` is absent.
/// For testing retries and failure handling.
public struct FailTask: TaskType {
    public init() {}
    public var name: String { "fail" }

    public func validate(params: JSONValue) throws {
        try params.requireKnownKeys(["times"])
        if let times = try params.optionalNumber("times"), times < 0 || times != times.rounded() {
            throw TaskParamError("params.times must be a whole number of at least 0")
        }
    }

    public func run(_ context: TaskContext) async throws {
        let times = try context.params.optionalNumber("times").map(Int.init)
        if times.map({ context.task.tryNumber <= $0 }) ?? true {
            throw TaskParamError("failing on purpose (try \(context.task.tryNumber)\(times.map { " of the first \($0)" } ?? ""))")
        }
    }
}
