import Foundation

/// The part of time one fetch asks the API for (`start_time`, `end_time`, `since_id`).
///
/// - A run with a data interval fetches exactly that interval: `start_time` inclusive, `end_time`
///   exclusive, so consecutive scheduled runs get disjoint tweets. When the source's checkpoint
///   already lies inside the interval (a retry, or a manual run that got there first), `since_id`
///   skips what was delivered; a backfill for an interval wholly before the checkpoint ignores it.
/// - A run without one (a manual run: start equals end) fetches what is new since the checkpoint,
///   or the last `lookback` when there is none yet.
public struct XFetchWindow: Sendable, Equatable {
    public var startTime: Date?
    public var endTime: Date?
    public var sinceID: XTweetID?
    /// The API refuses an `end_time` closer than 10 s to the request, and indexes tweets a few seconds
    /// late: a fetch waits until then.
    public var notBefore: Date?

    public static let indexingDelay: TimeInterval = 10
    /// How far back recent search reaches.
    public static let recentSearchReach: TimeInterval = 7 * 24 * 3600

    public init(startTime: Date? = nil, endTime: Date? = nil, sinceID: XTweetID? = nil, notBefore: Date? = nil) {
        self.startTime = startTime
        self.endTime = endTime
        self.sinceID = sinceID
        self.notBefore = notBefore
    }

    public static func plan(interval: DataInterval, checkpoint: XTweetID?, lookback: Duration, now: Date) -> XFetchWindow {
        guard interval.start < interval.end else {
            if let checkpoint { return XFetchWindow(sinceID: checkpoint) }
            return XFetchWindow(startTime: now.addingTimeInterval(-lookback.seconds))
        }
        let resumesInside = checkpoint.map { $0.createdAt >= interval.start && $0.createdAt < interval.end } ?? false
        let ready = interval.end.addingTimeInterval(indexingDelay)
        return XFetchWindow(startTime: interval.start, endTime: interval.end, sinceID: resumesInside ? checkpoint : nil,
                            notBefore: ready > now ? ready : nil)
    }

    /// The query parameters, timestamps in the API's `YYYY-MM-DDTHH:mm:ssZ` form.
    public var queryItems: [(name: String, value: String)] {
        var items: [(String, String)] = []
        if let startTime { items.append(("start_time", Self.format(startTime))) }
        if let endTime { items.append(("end_time", Self.format(endTime))) }
        if let sinceID { items.append(("since_id", sinceID.description)) }
        return items
    }

    /// True when the window starts further back than recent search reaches.
    public func exceedsRecentSearch(now: Date) -> Bool {
        guard let startTime else { return false }
        return startTime < now.addingTimeInterval(-Self.recentSearchReach)
    }

    static func format(_ date: Date) -> String {
        // Whole seconds: the API's granularity. Intervals come from cron schedules, so nothing is lost.
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)).formatted(.iso8601)
    }
}
