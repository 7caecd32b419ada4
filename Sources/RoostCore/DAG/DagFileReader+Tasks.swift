import Yams

/// The `tasks:` list and the task arguments (`default_args` and their per-task overrides).
extension DagFileReader {
    mutating func readTasks(_ node: Node?, root: Node, defaults: TaskArgs) -> [ReadTask] {
        guard let node, !node.isNull else {
            fail(root, "missing tasks: a DAG needs at least one task")
            return []
        }
        guard let items = node.sequence else {
            fail(node, "tasks must be a list of tasks, not \(Self.describe(node))")
            return []
        }
        if items.count == 0 {
            fail(node, "tasks must list at least one task")
        }
        return items.compactMap { readTask($0, defaults: defaults) }
    }

    /// A task, or nil when it has no usable task_id (it cannot take part in the graph checks).
    private mutating func readTask(_ node: Node, defaults: TaskArgs) -> ReadTask? {
        guard let mapping = node.mapping else {
            fail(node, "each task must be a mapping with task_id and type, not \(Self.describe(node))")
            return nil
        }
        let idNode = mapping.first { $0.key.scalar?.string == "task_id" }?.value
        let taskID = idNode.flatMap { $0.isNull ? nil : $0.scalar?.string }
        let fields = knownFields(of: mapping, known: Self.taskKeys, prefix: "", task: taskID)
        guard let taskID, let idNode else {
            fail(node, "a task is missing task_id")
            return nil
        }
        if !Self.isValidID(taskID) {
            fail(idNode, task: taskID, "task_id '\(taskID)' \(Self.idRule)")
        }

        let validator = readType(fields.present("type"), taskNode: node, task: taskID)
        var upstream: [String] = []
        var upstreamLines: [Int?] = []
        if let upstreamNode = fields.present("upstream") {
            // A single name is accepted as a one-item list.
            for item in upstreamNode.sequence.map(Array.init) ?? [upstreamNode] {
                guard let name = text(item, "upstream", task: taskID) else { continue }
                if upstream.contains(name) {
                    fail(item, task: taskID, "upstream lists '\(name)' more than once")
                    continue
                }
                upstream.append(name)
                upstreamLines.append(item.line)
            }
        }

        var params = JSONValue.object([:])
        let paramsNode = fields.present("params")
        var paramsRead = true
        if let paramsNode {
            if paramsNode.mapping == nil {
                fail(paramsNode, task: taskID, "params must be a mapping, not \(Self.describe(paramsNode))")
                paramsRead = false
            } else if let value = json(paramsNode, path: "params", task: taskID) {
                params = value
            } else {
                paramsRead = false
            }
        }
        if let validate = validator?.validate, paramsRead {
            do {
                try validate(params)
            } catch {
                fail(paramsNode ?? node, task: taskID, "\(error)")
            }
        }

        var args = defaults
        applyArgs(fields, to: &args, prefix: "", task: taskID)
        let definition = TaskDefinition(taskID: taskID, type: validator?.type ?? fields.present("type")?.scalar?.string ?? "",
                                        upstream: upstream, params: params, args: args)
        return ReadTask(definition: definition, line: idNode.line, upstreamLines: upstreamLines)
    }

    /// The task's type and its params validator, or nil after an error for a missing or unknown type.
    private mutating func readType(_ node: Node?, taskNode: Node, task: String) -> (type: String, validate: TaskParamsValidator)? {
        let known = validators.keys.sorted()
        guard let node else {
            fail(taskNode, task: task, "missing type (known types: \(known.joined(separator: ", ")))")
            return nil
        }
        guard let type = text(node, "type", task: task) else { return nil }
        guard let validate = validators[type] else {
            fail(node, task: task, "unknown task type '\(type)'" + NameSuggestion.hint(for: type, in: known, listName: "known types"))
            return nil
        }
        return (type, validate)
    }

    /// Overlays the task arguments present in `fields` onto `args`; other keys are ignored.
    mutating func applyArgs(_ fields: [String: Node], to args: inout TaskArgs, prefix: String, task: String?) {
        for key in TaskArgKey.allCases {
            guard let node = fields[key.rawValue] else { continue }
            let name = prefix + key.rawValue
            switch key {
            case .retries:
                guard let value = int(node, name, task: task) else { continue }
                if value < 0 { fail(node, task: task, "\(name) must be at least 0, not \(value)") } else { args.retries = value }
            case .retryDelay:
                if let value = duration(node, name, task: task) { args.retryDelay = value }
            case .retryExponentialBackoff:
                if let value = bool(node, name, task: task) { args.retryExponentialBackoff = value }
            case .maxRetryDelay:
                if let value = duration(node, name, task: task) { args.maxRetryDelay = value }
            case .executionTimeout:
                // null lifts a timeout set in default_args.
                if node.isNull {
                    args.executionTimeout = nil
                } else if let value = duration(node, name, task: task) {
                    if value <= .zero {
                        fail(node, task: task, "\(name) must be longer than 0 (null means no limit)")
                    } else {
                        args.executionTimeout = value
                    }
                }
            case .queue:
                guard let value = text(node, name, task: task) else { continue }
                if value.isEmpty { fail(node, task: task, "\(name) must not be empty") } else { args.queue = value }
            case .priorityWeight:
                if let value = int(node, name, task: task) { args.priorityWeight = value }
            }
        }
    }
}

/// Airflow's `default_args` that Roost supports, each also settable per task.
enum TaskArgKey: String, CaseIterable {
    case retries
    case retryDelay = "retry_delay"
    case retryExponentialBackoff = "retry_exponential_backoff"
    case maxRetryDelay = "max_retry_delay"
    case executionTimeout = "execution_timeout"
    case queue
    case priorityWeight = "priority_weight"
}
