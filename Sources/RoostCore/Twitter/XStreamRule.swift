/// A filtered-stream rule: the query `value` and an optional `tag` that matching tweets carry.
public struct XStreamRule: Sendable, Hashable, CustomStringConvertible {
    /// Set by the API once the rule exists.
    public var id: String?
    public var value: String
    public var tag: String?

    public init(id: String? = nil, value: String, tag: String? = nil) {
        self.id = id
        self.value = value
        self.tag = tag
    }

    public init?(json: JSONValue) {
        guard let value = json["value"]?.stringValue else { return nil }
        self.init(id: json["id"]?.stringValue, value: value, tag: json["tag"]?.stringValue)
    }

    public var description: String { tag.map { "\(value) [tag \($0)]" } ?? value }

    /// Whether two rules filter and tag the same way, whatever their ids.
    public func matches(_ other: XStreamRule) -> Bool { value == other.value && (tag ?? "") == (other.tag ?? "") }
}

/// What makes a stream's rules the declared ones: declared rules missing from the stream are
/// added, rules the stream has but the declaration lacks are deleted, matching ones stay.
public struct XStreamRulePlan: Sendable, Equatable {
    public let add: [XStreamRule]
    public let delete: [XStreamRule]

    public init(declared: [XStreamRule], existing: [XStreamRule]) {
        add = declared.filter { rule in !existing.contains { $0.matches(rule) } }
        delete = existing.filter { rule in !declared.contains { $0.matches(rule) } }
    }

    public var isEmpty: Bool { add.isEmpty && delete.isEmpty }
}
