import Foundation
@testable import RoostCore

/// Params validators shaped like the runtime's built-in task types (noop, sleep, fail, command),
/// which RoostCore cannot import: each names the bad field, as the runtime's do.
enum TestTaskTypes {
    struct ParamError: Error, CustomStringConvertible {
        let description: String
    }

    static let validators: [String: TaskParamsValidator] = [
        "noop": { params in try knownKeys(params, []) },
        "sleep": { params in
            try knownKeys(params, ["seconds"])
            if let seconds = params["seconds"], (seconds.doubleValue ?? -1) < 0 {
                throw ParamError(description: "params.seconds must be a number of at least 0")
            }
        },
        "fail": { params in
            try knownKeys(params, ["times"])
            if let times = params["times"], (times.intValue ?? -1) < 0 {
                throw ParamError(description: "params.times must be a whole number of at least 0")
            }
        },
        "command": { params in
            try knownKeys(params, ["argv", "env"])
            guard let argv = params["argv"]?.arrayValue, !argv.isEmpty, argv.allSatisfy({ $0.stringValue != nil }) else {
                throw ParamError(description: "params.argv must be a non-empty list of strings")
            }
            if let env = params["env"], env.objectValue?.values.allSatisfy({ $0.stringValue != nil }) != true {
                throw ParamError(description: "params.env must be a mapping of strings to strings")
            }
        },
    ]

    static func knownKeys(_ params: JSONValue, _ keys: Set<String>) throws {
        if let unknown = params.objectValue?.keys.sorted().first(where: { !keys.contains($0) }) {
            throw ParamError(description: "params.\(unknown) is not a parameter of this task type")
        }
    }

    static let parser = DagParser(validators: validators)
}

/// Parses `yaml` as `dags/test.yaml` and returns the error messages.
func dagErrors(_ yaml: String) -> [String] {
    TestTaskTypes.parser.parse(yaml: yaml, file: "dags/test.yaml").errors.map(\.description)
}

/// Parses `yaml`, which must be valid.
func parseDag(_ yaml: String, file: String = "dags/test.yaml") throws -> DagDefinition {
    let (dag, errors) = TestTaskTypes.parser.parse(yaml: yaml, file: file)
    guard let dag else { throw TestTaskTypes.ParamError(description: errors.map(\.description).joined(separator: "\n")) }
    return dag
}

/// A UTC date from `2026-11-01T00:00:00Z`-style text.
func utc(_ text: String) -> Date {
    DagFileReader.parseTimestamp(text)!
}
