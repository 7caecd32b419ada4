import RoostCore

/// A kind of task a DAG can name in `type:`. A task type checks its params when DAGs are loaded
/// and runs one try. Returning means success; throwing means the try failed. It must stop promptly
/// when its Swift task is cancelled (timeout, shutdown, or a lease taken back).
public protocol TaskType: Sendable {
    /// The name DAG files use.
    var name: String { get }
    /// Rejects params this type cannot run, with an error naming the field.
    func validate(params: JSONValue) throws
    func run(_ context: TaskContext) async throws
}

/// A bad parameter, named.
public struct TaskParamError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Reading params with errors that name the field.
extension JSONValue {
    public func requiredString(_ key: String) throws -> String {
        guard let value = self[key]?.stringValue else { throw TaskParamError("params.\(key) must be a string") }
        return value
    }

    public func optionalNumber(_ key: String) throws -> Double? {
        guard let value = self[key], value != .null else { return nil }
        guard let number = value.doubleValue else { throw TaskParamError("params.\(key) must be a number") }
        return number
    }

    public func requireKnownKeys(_ keys: Set<String>) throws {
        guard case .object(let object) = self else {
            if self == .null { return }
            throw TaskParamError("params must be a mapping")
        }
        if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw TaskParamError("params.\(unknown) is not a parameter of this task type (known: \(keys.sorted().joined(separator: ", ")))")
        }
    }
}
