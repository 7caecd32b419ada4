import Foundation

/// Disjoint time slices of a window, fetched concurrently (`twitter_ingest`'s `parallel_slices`).
///
/// Slice k covers `[b(k), b(k+1))` of the window's time span, the boundaries cut in whole seconds
/// (the API's granularity); the first keeps the window's own lower bound and the last its upper one
/// (open when the window is), so together they ask for exactly what the window asks for. Each keeps
/// the window's `since_id`. Every slice has its own checkpoint, moved when its last page is
/// delivered: `resuming(from:)` turns one lying inside the slice into its `since_id`, which is safe
/// because a slice's lower boundary only moves forward between tries (a fixed interval, or `now`).
extension XFetchWindow {
    /// At most `count` slices, fewer when the span has fewer whole seconds; the window itself when it
    /// has no lower bound or `count` is 1. `now` ends an open window's span.
    public func slices(_ count: Int, now: Date) -> [XFetchWindow] {
        guard count > 1, let lower = lowerBound else { return [self] }
        let first = lower.timeIntervalSince1970.rounded(.up)
        let span = (endTime ?? now).timeIntervalSince1970.rounded(.down) - first
        let boundaries = (1..<count).map { Date(timeIntervalSince1970: first + (span * Double($0) / Double(count)).rounded(.down)) }
            .filter { $0 > lower && $0 < (endTime ?? now) }
        let cuts = Array(Set(boundaries)).sorted()
        let starts: [Date?] = [startTime] + cuts.map { $0 }
        let ends: [Date?] = cuts.map { $0 } + [endTime]
        return zip(starts, ends).map { XFetchWindow(startTime: $0, endTime: $1, sinceID: sinceID) }
    }

    /// This window with `since_id` moved to `checkpoint` when that lies inside it: a slice whose
    /// tweets up to the checkpoint were delivered by an earlier try.
    public func resuming(from checkpoint: XTweetID?) -> XFetchWindow {
        guard let checkpoint, let lower = lowerBound, checkpoint.createdAt >= lower,
              endTime.map({ checkpoint.createdAt < $0 }) ?? true, sinceID.map({ checkpoint > $0 }) ?? true else { return self }
        var window = self
        window.sinceID = checkpoint
        return window
    }

    /// The oldest time the window asks for.
    private var lowerBound: Date? { startTime ?? sinceID?.createdAt }
}
