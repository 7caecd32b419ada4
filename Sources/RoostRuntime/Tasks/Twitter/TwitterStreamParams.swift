import Foundation
import RoostCore
import RoostTwitter

/// The params of `twitter_stream`, checked when DAGs load: `topic` (required); `rules` (optional:
/// the rules the stream should have, each a string or `{value, tag}`; reconciled when the stream
/// starts, and left as they are when absent); `stall_timeout` (a duration, default 30s);
/// `progress_interval` (how often the counters go to the running attempt and the task log, default 1m);
/// `backfill_minutes` (1-5, X Pro access: re-sent on reconnects and when a later try resumes).
struct TwitterStreamParams: Sendable {
    static let keys: Set<String> = ["topic", "rules", "stall_timeout", "progress_interval", "backfill_minutes"]

    let topic: String
    let rules: [XStreamRule]?
    let stallTimeout: Duration
    let progressInterval: Duration
    let backfillMinutes: Int?

    init(_ params: JSONValue) throws {
        try params.requireKnownKeys(Self.keys)
        topic = try params.requiredString("topic")
        stallTimeout = try Self.duration(params, "stall_timeout", default: .seconds(30))
        progressInterval = try Self.duration(params, "progress_interval", default: .seconds(60))
        if let minutes = try params.optionalNumber("backfill_minutes") {
            guard (1...5).contains(minutes), minutes == minutes.rounded() else {
                throw TaskParamError("params.backfill_minutes must be a whole number of minutes from 1 to 5")
            }
            backfillMinutes = Int(minutes)
        } else {
            backfillMinutes = nil
        }
        guard let rules = params["rules"], rules != .null else {
            self.rules = nil
            return
        }
        guard let list = rules.arrayValue else { throw TaskParamError("params.rules must be a list of rules") }
        self.rules = try list.enumerated().map { index, rule in
            if let value = rule.stringValue, !value.isEmpty { return XStreamRule(value: value) }
            guard let parsed = XStreamRule(json: rule), !parsed.value.isEmpty,
                  rule["tag"] == nil || rule["tag"]?.stringValue != nil else {
                throw TaskParamError("params.rules[\(index)] must be a non-empty string or {value: string, tag: string}")
            }
            try rule.requireKnownKeys(["value", "tag"])
            return parsed
        }
    }

    private static func duration(_ params: JSONValue, _ key: String, default fallback: Duration) throws -> Duration {
        guard let value = params[key], value != .null else { return fallback }
        guard let text = value.stringValue, let duration = DurationParser.parse(text), duration > .zero else {
            throw TaskParamError("params.\(key) must be a positive duration such as 30s")
        }
        return duration
    }
}
