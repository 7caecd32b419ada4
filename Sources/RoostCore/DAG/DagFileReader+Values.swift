import Foundation
import Yams

/// Typed readers for scalar fields. Each returns nil after recording an error that names the field
/// and shows the value it got.
extension DagFileReader {
    mutating func text(_ node: Node, _ name: String, task: String? = nil) -> String? {
        guard let scalar = node.scalar, !node.isNull else {
            fail(node, task: task, "\(name) must be text, not \(Self.describe(node))")
            return nil
        }
        return scalar.string
    }

    mutating func bool(_ node: Node, _ name: String, task: String? = nil) -> Bool? {
        guard let value = node.bool else {
            fail(node, task: task, "\(name) must be true or false, not \(Self.describe(node))")
            return nil
        }
        return value
    }

    mutating func int(_ node: Node, _ name: String, task: String? = nil) -> Int? {
        guard node.tagName == .int, let value = node.int else {
            fail(node, task: task, "\(name) must be a whole number, not \(Self.describe(node))")
            return nil
        }
        return value
    }

    mutating func duration(_ node: Node, _ name: String, task: String? = nil) -> Duration? {
        guard let text = node.scalar?.string, !node.isNull, let value = DurationParser.parse(text) else {
            fail(node, task: task, "\(name) must be a duration like 500ms, 30s, 10m, 2h, not \(Self.describe(node))")
            return nil
        }
        return value
    }

    mutating func timestamp(_ node: Node, _ name: String) -> Date? {
        guard let text = node.scalar?.string, let value = Self.parseTimestamp(text) else {
            fail(node, "\(name) must be an ISO-8601 timestamp like 2026-11-01T00:00:00Z or 2026-11-01, not \(Self.describe(node))")
            return nil
        }
        return value
    }

    /// `params` as JSON: YAML ints become `.int`, floats `.double`, and so on; `path` names the
    /// value in messages (`params.argv[0]`).
    mutating func json(_ node: Node, path: String, task: String?) -> JSONValue? {
        switch node {
        case .scalar(let scalar):
            switch node.tagName {
            case .null:
                return .null
            case .bool:
                return node.bool.map(JSONValue.bool)
            case .int:
                guard let value = node.int else {
                    fail(node, task: task, "\(path) is \(scalar.string), which does not fit in a 64-bit integer")
                    return nil
                }
                return .int(Int64(value))
            case .float:
                // JSON has no NaN or infinity; the serialized definition must always encode.
                guard let value = node.float, value.isFinite else {
                    fail(node, task: task, "\(path) must be a finite number, not \(scalar.string)")
                    return nil
                }
                return .double(value)
            default:
                return .string(scalar.string)
            }
        case .sequence(let items):
            var values: [JSONValue] = []
            var ok = true
            for (index, item) in items.enumerated() {
                if let value = json(item, path: "\(path)[\(index)]", task: task) { values.append(value) } else { ok = false }
            }
            return ok ? .array(values) : nil
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            var ok = true
            for (keyNode, valueNode) in mapping {
                guard let key = keyNode.scalar?.string else {
                    fail(keyNode, task: task, "\(path) keys must be text, not \(Self.describe(keyNode))")
                    ok = false
                    continue
                }
                if let value = json(valueNode, path: "\(path).\(key)", task: task) { object[key] = value } else { ok = false }
            }
            return ok ? .object(object) : nil
        case .alias:
            fail(node, task: task, "\(path): YAML aliases are not supported")
            return nil
        }
    }

    /// An ISO-8601 timestamp with `Z` or an offset (`2026-11-01T00:00:00Z`, `…T02:00:00+02:00`), or a
    /// date meaning its midnight UTC. Fractional seconds are dropped: the stored definition keeps
    /// whole seconds, and the parsed date must equal the stored one.
    static func parseTimestamp(_ text: String) -> Date? {
        let pattern = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2}))?$/
        guard let match = text.wholeMatch(of: pattern) else { return nil }
        var offset = 0
        if let zone = match.7, zone != "Z" {
            let sign = zone.hasPrefix("-") ? -1 : 1
            let parts = zone.dropFirst().split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2, parts[0] <= 23, parts[1] <= 59 else { return nil }
            offset = sign * (parts[0] * 3600 + parts[1] * 60)
        }
        guard let zone = TimeZone(secondsFromGMT: offset) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let fields = [match.1, match.2, match.3].map { Int($0)! } + [match.4, match.5, match.6].map { $0.flatMap { Int($0) } ?? 0 }
        let components = DateComponents(year: fields[0], month: fields[1], day: fields[2],
                                         hour: fields[3], minute: fields[4], second: fields[5])
        // Calendar rolls 2026-02-30 over to March: a date that does not read back the same is invalid.
        guard let date = calendar.date(from: components) else { return nil }
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        guard [back.year, back.month, back.day, back.hour, back.minute, back.second] == fields.map(Optional.some) else { return nil }
        return date
    }

    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// A value as shown in messages: `'text'`, `null`, `a list`, `a mapping`.
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): node.isNull ? "null" : "'\(scalar.string)'"
        case .sequence: "a list"
        case .mapping: "a mapping"
        case .alias: "an alias"
        }
    }
}

extension Node {
    /// The resolved tag (`int`, `float`, `null`, `str`, …); quoted scalars are always `str`.
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }

    var isNull: Bool { if case .scalar = self { tagName == .null } else { false } }
}
