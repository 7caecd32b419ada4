import Foundation
import Yams

/// Reads one DAG file, collecting every problem rather than stopping at the first. `dag_id` is read
/// before anything else so that every later message names the DAG. A field with a bad value keeps
/// its default so the rest of the file (other fields, tasks, the task graph) is still checked; the
/// DAG itself is only produced when there is no error at all.
struct DagFileReader {
    static let dagKeys = ["dag_id", "description", "schedule", "start_date", "end_date", "catchup",
                          "max_active_runs", "is_paused_upon_creation", "default_args", "tasks"]
    static let argKeys = TaskArgKey.allCases.map(\.rawValue)
    static let taskKeys = ["task_id", "type", "upstream", "params"] + argKeys
    /// The start date of a manual-only DAG that names none; it only anchors schedules, so any fixed value works.
    static let manualStartDate = Date(timeIntervalSince1970: 0)

    /// A task as read, with the lines its graph errors point at.
    struct ReadTask {
        var definition: TaskDefinition
        var line: Int?
        var upstreamLines: [Int?]
    }

    let file: String
    let validators: [String: TaskParamsValidator]
    private(set) var dagID: String?
    /// Where `dag_id` is, for messages about the DAG as a whole (the same id in two files).
    private(set) var dagIDLine: Int?
    private(set) var dag: DagDefinition?
    private(set) var errors: [DagValidationError] = []

    init(file: String, validators: [String: TaskParamsValidator]) {
        self.file = file
        self.validators = validators
    }

    mutating func fail(_ node: Node?, task: String? = nil, _ message: String) {
        fail(line: node?.line, task: task, message)
    }

    mutating func fail(line: Int?, task: String? = nil, _ message: String) {
        errors.append(DagValidationError(file: file, line: line, dagID: dagID, taskID: task, message))
    }

    mutating func read(yaml: String) {
        let definition = readDefinition(yaml: yaml)
        // Line order reads top to bottom; the sort is stable, so equal lines keep discovery order.
        errors = errors.enumerated().sorted { a, b in
            (a.element.line ?? .max, a.offset) < (b.element.line ?? .max, b.offset)
        }.map(\.element)
        dag = errors.isEmpty ? definition : nil
    }

    private mutating func readDefinition(yaml: String) -> DagDefinition? {
        guard let root = compose(yaml) else { return nil }
        guard let mapping = root.mapping else {
            fail(root, "a DAG file must be a mapping with dag_id, tasks and the DAG's settings")
            return nil
        }
        readDagID(mapping.first { $0.key.scalar?.string == "dag_id" }?.value, root: root)
        let fields = knownFields(of: mapping, known: Self.dagKeys, prefix: "", task: nil)

        let description = fields.present("description").flatMap { text($0, "description") } ?? ""
        let schedule = fields.present("schedule").flatMap { readSchedule($0) }
        var startDate = fields.present("start_date").flatMap { timestamp($0, "start_date") }
        let endDate = fields.present("end_date").flatMap { timestamp($0, "end_date") }
        if let start = startDate, let end = endDate, end < start {
            fail(fields["end_date"], "end_date \(Self.format(end)) is before start_date \(Self.format(start))")
        }
        if fields.present("schedule") != nil, fields.present("start_date") == nil {
            fail(fields["schedule"] ?? root, "start_date is required when a schedule is set (like start_date: 2026-11-01T00:00:00Z)")
            startDate = Self.manualStartDate
        }
        let catchup = fields.present("catchup").flatMap { bool($0, "catchup") } ?? false
        var maxActiveRuns = 16
        if let node = fields.present("max_active_runs"), let value = int(node, "max_active_runs") {
            if value < 1 { fail(node, "max_active_runs must be at least 1, not \(value)") } else { maxActiveRuns = value }
        }
        let paused = fields.present("is_paused_upon_creation").flatMap { bool($0, "is_paused_upon_creation") } ?? false

        var defaults = TaskArgs()
        if let node = fields.present("default_args") {
            if let args = node.mapping {
                let argFields = knownFields(of: args, known: Self.argKeys, prefix: "default_args.", task: nil)
                applyArgs(argFields, to: &defaults, prefix: "default_args.", task: nil)
            } else {
                fail(node, "default_args must be a mapping, not \(Self.describe(node))")
            }
        }
        let tasks = readTasks(fields["tasks"], root: root, defaults: defaults)
        checkGraph(tasks)

        guard let dagID, errors.isEmpty else { return nil }
        return DagDefinition(dagID: dagID, description: description, schedule: schedule,
                             startDate: startDate ?? Self.manualStartDate, endDate: endDate, catchup: catchup,
                             maxActiveRuns: maxActiveRuns, isPausedUponCreation: paused,
                             tasks: tasks.map(\.definition), fileloc: file)
    }

    private mutating func compose(_ yaml: String) -> Node? {
        do {
            guard let root = try Yams.compose(yaml: yaml) else {
                fail(line: nil, "the file is empty; a DAG file is a mapping with at least dag_id and tasks")
                return nil
            }
            return root
        } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
            fail(line: context.mark.line, "invalid YAML: duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", "))")
        } catch let error as YamlError {
            fail(line: ConfigLoader.line(of: error), "invalid YAML: \(ConfigLoader.summary(of: error))")
        } catch {
            fail(line: nil, "invalid YAML: \(error)")
        }
        return nil
    }

    private mutating func readDagID(_ node: Node?, root: Node) {
        guard let node, !node.isNull else {
            fail(root, "missing dag_id")
            return
        }
        guard let id = text(node, "dag_id") else { return }
        dagID = id
        dagIDLine = node.line
        if !Self.isValidID(id) {
            fail(node, "dag_id '\(id)' \(Self.idRule)")
        }
    }

    private mutating func readSchedule(_ node: Node) -> Schedule? {
        guard let text = text(node, "schedule") else { return nil }
        do {
            return try Schedule.parse(text)
        } catch {
            fail(node, "invalid schedule: \(error)")
            return nil
        }
    }

    /// The mapping's values by key; unknown keys are errors naming the close match or the known keys.
    mutating func knownFields(of mapping: Node.Mapping, known: [String], prefix: String, task: String?) -> [String: Node] {
        var fields: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                fail(keyNode, task: task, "keys must be names, not \(Self.describe(keyNode))")
                continue
            }
            guard known.contains(key) else {
                fail(keyNode, task: task, "unknown key '\(prefix)\(key)'" + NameSuggestion.hint(for: key, in: known))
                continue
            }
            fields[key] = value
        }
        return fields
    }

    /// Ids end up in run ids, log paths and URLs: keep them to Airflow's safe characters.
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 250 && id.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" || $0 == ".")
        }
    }

    static let idRule = "may only contain letters, digits, '_', '-' and '.' (at most 250)"
}

extension [String: Node] {
    /// The value of `key` unless it is absent or null.
    func present(_ key: String) -> Node? {
        guard let node = self[key], !node.isNull else { return nil }
        return node
    }
}
