import Foundation
import RoostCore
import Testing

@Suite struct XFetchWindowSliceTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// A tweet id created `offset` seconds after `start`.
    func id(_ offset: TimeInterval) -> XTweetID {
        XTweetID((Int64((start.timeIntervalSince1970 + offset) * 1000) - 1_288_834_974_657) << 22)
    }

    @Test func anIntervalSplitsIntoAdjoiningSlicesCoveringExactlyIt() {
        let window = XFetchWindow(startTime: start, endTime: start.addingTimeInterval(3600))
        let slices = window.slices(4, now: start.addingTimeInterval(7200))
        #expect(slices.map(\.startTime) == [0, 900, 1800, 2700].map { start.addingTimeInterval($0) })
        #expect(slices.map(\.endTime) == [900, 1800, 2700, 3600].map { start.addingTimeInterval($0) })
        #expect(slices.allSatisfy { $0.sinceID == nil })
    }

    @Test func anOpenWindowKeepsItsLastSliceOpenAndEverySliceTheSinceID() {
        let window = XFetchWindow(sinceID: id(0))
        let slices = window.slices(3, now: start.addingTimeInterval(300))
        #expect(slices.count == 3)
        #expect(slices.first?.startTime == nil && slices.last?.endTime == nil)
        #expect(slices.map(\.sinceID) == [id(0), id(0), id(0)])
        #expect(slices[1].startTime == start.addingTimeInterval(100) && slices[1].endTime == start.addingTimeInterval(200))
    }

    @Test func aShortSpanGetsFewerSlicesAndOneSliceIsTheWindow() {
        let window = XFetchWindow(startTime: start, endTime: start.addingTimeInterval(2))
        #expect(window.slices(8, now: start.addingTimeInterval(60)).count == 2)
        #expect(window.slices(1, now: start.addingTimeInterval(60)) == [window])
        #expect(XFetchWindow().slices(4, now: start) == [XFetchWindow()])
    }

    @Test func aCheckpointInsideTheSliceBecomesItsSinceIDAndOthersAreIgnored() {
        let slice = XFetchWindow(startTime: start.addingTimeInterval(900), endTime: start.addingTimeInterval(1800))
        #expect(slice.resuming(from: id(1000)).sinceID == id(1000))
        #expect(slice.resuming(from: id(100)) == slice, "an older slice's checkpoint")
        #expect(slice.resuming(from: id(1800)) == slice, "the next slice's checkpoint")
        #expect(slice.resuming(from: nil) == slice)
        var resumed = slice
        resumed.sinceID = id(1200)
        #expect(resumed.resuming(from: id(1000)) == resumed, "never moves since_id back")
    }
}
