import RoostCore

/// The task types a worker can run and the scheduler accepts, by name.
public struct TaskRegistry: Sendable {
    private let types: [String: any TaskType]

    public init(_ types: [any TaskType]) {
        self.types = Dictionary(types.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The types every Roost binary has: for tests, benchmarks and running programs.
    public static let builtIn = TaskRegistry([NoopTask(), SleepTask(), FailTask(), CommandTask()])

    public func type(named name: String) -> (any TaskType)? { types[name] }

    public var names: [String] { types.keys.sorted() }

    /// Validators by type name, for the DAG parser.
    public var validators: [String: @Sendable (JSONValue) throws -> Void] {
        types.mapValues { type in { params in try type.validate(params: params) } }
    }

    /// This registry plus `others`; a name in both keeps this registry's type.
    public func adding(_ others: [any TaskType]) -> TaskRegistry {
        TaskRegistry(Array(types.values) + others)
    }
}
