import Foundation
import Testing
@testable import RoostS3

/// Transcripts: each event the upload reports, and the actions the schedule answers with.
@Suite struct MultipartScheduleTests {
    private let a = PayloadDigests(data: Data("a".utf8)), b = PayloadDigests(data: Data("b".utf8)),
                c = PayloadDigests(data: Data("c".utf8)), d = PayloadDigests(data: Data("d".utf8)),
                e = PayloadDigests(data: Data("e".utf8))

    @Test func hashesAheadOfTheUploadsSoAFreedSlotStartsItsNextPartAtOnce() {
        var schedule = MultipartSchedule(partCount: 5, concurrency: 2)
        #expect(schedule.start() == [.hash(part: 1), .hash(part: 2)])
        #expect(schedule.hashFinished(part: 1, digests: a) == [.upload(part: 1, digests: a), .hash(part: 3)])
        #expect(schedule.hashFinished(part: 2, digests: b) == [.upload(part: 2, digests: b), .hash(part: 4)])
        #expect(schedule.hashFinished(part: 3, digests: c) == [], "both slots busy: part 3 waits, hashed")
        #expect(schedule.hashFinished(part: 4, digests: d) == [])
        #expect(schedule.uploadFinished(part: 2) == [.upload(part: 3, digests: c), .hash(part: 5)])
        #expect(schedule.uploadFinished(part: 1) == [.upload(part: 4, digests: d)])
        #expect(schedule.hashFinished(part: 5, digests: e) == [])
        #expect(schedule.uploadFinished(part: 3) == [.upload(part: 5, digests: e)])
        #expect(schedule.uploadFinished(part: 4) == [])
        #expect(schedule.uploadFinished(part: 5) == [])
    }

    @Test func uploadsStartInPartOrderWhateverOrderTheHashesEndIn() {
        var schedule = MultipartSchedule(partCount: 3, concurrency: 3)
        #expect(schedule.start() == [.hash(part: 1), .hash(part: 2), .hash(part: 3)])
        #expect(schedule.hashFinished(part: 3, digests: c) == [])
        #expect(schedule.hashFinished(part: 2, digests: b) == [])
        #expect(schedule.hashFinished(part: 1, digests: a) == [.upload(part: 1, digests: a), .upload(part: 2, digests: b),
                                                             .upload(part: 3, digests: c)])
    }

    @Test func oneAtATimeStillHashesTheNextPartDuringAnUpload() {
        var schedule = MultipartSchedule(partCount: 2, concurrency: 0)
        #expect(schedule.start() == [.hash(part: 1)])
        #expect(schedule.hashFinished(part: 1, digests: a) == [.upload(part: 1, digests: a), .hash(part: 2)])
        #expect(schedule.hashFinished(part: 2, digests: b) == [])
        #expect(schedule.uploadFinished(part: 1) == [.upload(part: 2, digests: b)])
        #expect(schedule.uploadFinished(part: 2) == [])
    }
}
