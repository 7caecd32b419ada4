import Foundation
import RoostCore
import Testing

@Suite struct XFetchWindowTests {
    let hour = DataInterval(start: Date(timeIntervalSince1970: 1_800_000_000), end: Date(timeIntervalSince1970: 1_800_003_600))
    var later: Date { hour.end.addingTimeInterval(60) }

    /// A tweet id created `offset` seconds after `date`.
    func id(at date: Date, _ offset: TimeInterval = 0) -> XTweetID {
        XTweetID((Int64((date.timeIntervalSince1970 + offset) * 1000) - 1_288_834_974_657) << 22)
    }

    @Test func aScheduledRunFetchesExactlyItsInterval() {
        let window = XFetchWindow.plan(interval: hour, checkpoint: nil, lookback: .seconds(3600), now: later)
        #expect(window == XFetchWindow(startTime: hour.start, endTime: hour.end))
        #expect(window.queryItems.map { "\($0.name)=\($0.value)" } == ["start_time=2027-01-15T08:00:00Z", "end_time=2027-01-15T09:00:00Z"])
    }

    @Test func aCheckpointInsideTheIntervalSkipsWhatWasDelivered() {
        let checkpoint = id(at: hour.start, 1800)
        let window = XFetchWindow.plan(interval: hour, checkpoint: checkpoint, lookback: .seconds(3600), now: later)
        #expect(window == XFetchWindow(startTime: hour.start, endTime: hour.end, sinceID: checkpoint))
    }

    @Test func aBackfillBeforeTheCheckpointIgnoresIt() {
        let checkpoint = id(at: hour.end, 86_400)
        let window = XFetchWindow.plan(interval: hour, checkpoint: checkpoint, lookback: .seconds(3600), now: later)
        #expect(window.sinceID == nil)
        #expect(window.startTime == hour.start && window.endTime == hour.end)
    }

    @Test func anIntervalEndingJustNowWaitsForIndexing() {
        let window = XFetchWindow.plan(interval: hour, checkpoint: nil, lookback: .seconds(3600), now: hour.end.addingTimeInterval(3))
        #expect(window.notBefore == hour.end.addingTimeInterval(10))
    }

    @Test func aManualRunFetchesWhatIsNewSinceTheCheckpoint() {
        let point = DataInterval(start: hour.end, end: hour.end)
        let checkpoint = id(at: hour.start)
        #expect(XFetchWindow.plan(interval: point, checkpoint: checkpoint, lookback: .seconds(3600), now: later) == XFetchWindow(sinceID: checkpoint))
        #expect(XFetchWindow.plan(interval: point, checkpoint: nil, lookback: .seconds(600), now: later) == XFetchWindow(startTime: later.addingTimeInterval(-600)))
    }

    @Test func recentSearchReachesSevenDays() {
        let window = XFetchWindow.plan(interval: hour, checkpoint: nil, lookback: .seconds(3600), now: later)
        #expect(!window.exceedsRecentSearch(now: later))
        #expect(window.exceedsRecentSearch(now: later.addingTimeInterval(8 * 86_400)))
    }
}
