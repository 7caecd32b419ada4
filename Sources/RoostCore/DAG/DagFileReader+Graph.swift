/// The checks that need all of a DAG's tasks: unique ids, known upstreams, no cycles.
extension DagFileReader {
    mutating func checkGraph(_ tasks: [ReadTask]) {
        var index: [String: Int] = [:]
        for (position, task) in tasks.enumerated() {
            let id = task.definition.taskID
            if let first = index[id] {
                let where_ = tasks[first].line.map { " (first at line \($0))" } ?? ""
                fail(line: task.line, task: id, "duplicate task_id '\(id)'\(where_)")
            } else {
                index[id] = position
            }
        }
        let ids = tasks.indices.filter { index[tasks[$0].definition.taskID] == $0 }.map { tasks[$0].definition.taskID }
        for task in tasks {
            for (name, line) in zip(task.definition.upstream, task.upstreamLines) where index[name] == nil {
                fail(line: line, task: task.definition.taskID,
                     "unknown upstream task '\(name)'" + NameSuggestion.hint(for: name, in: ids, listName: "tasks"))
            }
        }
        for cycle in Self.cycles(tasks, index: index) {
            let names = (cycle + [cycle[0]]).map { tasks[$0].definition.taskID }
            fail(line: tasks[cycle[0]].line, "cycle: \(names.joined(separator: " → "))")
        }
    }

    /// Cycles along upstream → downstream edges, each as task positions from where it starts, found
    /// by a depth-first search in file order. Iterative: a 10,000-task chain must not exhaust the stack.
    static func cycles(_ tasks: [ReadTask], index: [String: Int]) -> [[Int]] {
        var downstream = [[Int]](repeating: [], count: tasks.count)
        for (position, task) in tasks.enumerated() where index[task.definition.taskID] == position {
            for name in task.definition.upstream {
                if let upstream = index[name] { downstream[upstream].append(position) }
            }
        }
        enum Mark { case unvisited, onPath, done }
        var marks = [Mark](repeating: .unvisited, count: tasks.count)
        var cycles: [[Int]] = []
        for start in tasks.indices where marks[start] == .unvisited && index[tasks[start].definition.taskID] == start {
            var path: [(task: Int, nextEdge: Int)] = [(start, 0)]
            marks[start] = .onPath
            while let (task, nextEdge) = path.last {
                guard nextEdge < downstream[task].count else {
                    marks[task] = .done
                    path.removeLast()
                    continue
                }
                path[path.count - 1].nextEdge += 1
                let next = downstream[task][nextEdge]
                switch marks[next] {
                case .unvisited:
                    marks[next] = .onPath
                    path.append((next, 0))
                case .onPath:
                    let from = path.firstIndex { $0.task == next }!
                    cycles.append(path[from...].map(\.task))
                case .done:
                    break
                }
            }
        }
        return cycles
    }
}
