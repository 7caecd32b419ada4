import Foundation

/// Checks one task type's `params`. It throws an error whose description names the bad field
/// (e.g. `params.argv must be a non-empty list of strings`); the parser adds file, line, DAG and task.
public typealias TaskParamsValidator = @Sendable (JSONValue) throws -> Void

/// Reads DAG files (`config/dags/*.yaml`) into validated `DagDefinition`s. Task types live in the
/// runtime, so the parser is given their params validators by type name: a type not in the table
/// is unknown. Every problem of a file is reported, not only the first; `DagBag` reads a folder.
public struct DagParser: Sendable {
    public var validators: [String: TaskParamsValidator]

    public init(validators: [String: TaskParamsValidator]) {
        self.validators = validators
    }

    /// Parses one DAG file's text; `file` is the path used in messages and as the DAG's `fileloc`.
    /// `dag` is set exactly when `errors` is empty; errors are in line order.
    public func parse(yaml: String, file: String) -> (dag: DagDefinition?, errors: [DagValidationError]) {
        let reader = read(yaml: yaml, file: file)
        return (reader.dag, reader.errors)
    }

    /// Reads and parses the file at `path`.
    public func parse(file path: String) -> (dag: DagDefinition?, errors: [DagValidationError]) {
        let reader = read(file: path)
        return (reader.dag, reader.errors)
    }

    func read(file path: String) -> DagFileReader {
        guard let data = FileManager.default.contents(atPath: path) else {
            var reader = DagFileReader(file: path, validators: validators)
            reader.fail(line: nil, "cannot read the file")
            return reader
        }
        return read(yaml: String(decoding: data, as: UTF8.self), file: path)
    }

    func read(yaml: String, file: String) -> DagFileReader {
        var reader = DagFileReader(file: file, validators: validators)
        reader.read(yaml: yaml)
        return reader
    }
}
