import Testing
@testable import RoostS3

/// Transcripts: each event the upload reports, and the actions the schedule answers with.
@Suite struct MultipartScheduleTests {
    private let a: [UInt8] = [1], b: [UInt8] = [2], c: [UInt8] = [3], d: [UInt8] = [4], e: [UInt8] = [5]

    @Test func hashesAheadOfTheUploadsSoAFreedSlotStartsItsNextPartAtOnce() {
        var schedule = MultipartSchedule(partCount: 5, concurrency: 2)
        #expect(schedule.start() == [.hash(part: 1), .hash(part: 2)])
        #expect(schedule.hashFinished(part: 1, sha256: a) == [.upload(part: 1, sha256: a), .hash(part: 3)])
        #expect(schedule.hashFinished(part: 2, sha256: b) == [.upload(part: 2, sha256: b), .hash(part: 4)])
        #expect(schedule.hashFinished(part: 3, sha256: c) == [], "both slots busy: part 3 waits, hashed")
        #expect(schedule.hashFinished(part: 4, sha256: d) == [])
        #expect(schedule.uploadFinished(part: 2) == [.upload(part: 3, sha256: c), .hash(part: 5)])
        #expect(schedule.uploadFinished(part: 1) == [.upload(part: 4, sha256: d)])
        #expect(schedule.hashFinished(part: 5, sha256: e) == [])
        #expect(schedule.uploadFinished(part: 3) == [.upload(part: 5, sha256: e)])
        #expect(schedule.uploadFinished(part: 4) == [])
        #expect(schedule.uploadFinished(part: 5) == [])
    }

    @Test func uploadsStartInPartOrderWhateverOrderTheHashesEndIn() {
        var schedule = MultipartSchedule(partCount: 3, concurrency: 3)
        #expect(schedule.start() == [.hash(part: 1), .hash(part: 2), .hash(part: 3)])
        #expect(schedule.hashFinished(part: 3, sha256: c) == [])
        #expect(schedule.hashFinished(part: 2, sha256: b) == [])
        #expect(schedule.hashFinished(part: 1, sha256: a) == [.upload(part: 1, sha256: a), .upload(part: 2, sha256: b),
                                                             .upload(part: 3, sha256: c)])
    }

    @Test func oneAtATimeStillHashesTheNextPartDuringAnUpload() {
        var schedule = MultipartSchedule(partCount: 2, concurrency: 0)
        #expect(schedule.start() == [.hash(part: 1)])
        #expect(schedule.hashFinished(part: 1, sha256: a) == [.upload(part: 1, sha256: a), .hash(part: 2)])
        #expect(schedule.hashFinished(part: 2, sha256: b) == [])
        #expect(schedule.uploadFinished(part: 1) == [.upload(part: 2, sha256: b)])
        #expect(schedule.uploadFinished(part: 2) == [])
    }
}
