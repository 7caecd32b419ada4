import Foundation
import RoostCore
import RoostKafka
import RoostStore

/// Where `kafka_consume` with `transform: refine_tweets` puts records: a folder with
/// `refined/<topic>-<partition>-<first offset>.jsonl` (one `RefinedTweet` a line) and
/// `quarantine/<topic>-<partition>-<first offset>.jsonl` (the raw record and why it was refused).
/// File names come from the offset ranges, so the lake keys made from them are deterministic.
/// Each file holds one partition's records in offset order, so its bytes do not depend on the
/// order in which partitions arrive (range after range from `KafkaBoundedConsumer`).
/// A tweet seen again in its partition (a retried `twitter_ingest` produces again what a killed
/// try already sent; the producer keys by tweet id, so copies share a partition) is dropped: the
/// first copy, in offset order, is the one kept, so every try keeps the same one.
/// Written as `<folder>.partial.<writer>` and renamed into place at `commit`.
struct RefinedTweetSink: KafkaRecordSink {
    let folder: String
    let dagID: String
    let runID: String
    private let partial: String
    private var ranges: [Int32: RangeFiles] = [:]
    private(set) var refinedCount = 0
    private(set) var duplicateCount = 0
    /// The refused records, to send to the dead-letter topic once the output is complete.
    private(set) var refused: [Refused] = []

    /// A refused record: where it was read and why (`letter`), and the dead-letter message.
    struct Refused {
        let letter: DeadLetterStore.Letter
        let message: KafkaMessage
    }

    /// One partition's range: its two files and the tweet ids already written.
    private struct RangeFiles {
        let refined: FileHandle
        let quarantine: FileHandle
        var seen: Set<String> = []
    }

    init(folder: String, writer: String, dagID: String, runID: String) throws {
        self.folder = folder
        self.dagID = dagID
        self.runID = runID
        partial = folder + ".partial." + writer
        try? FileManager.default.removeItem(atPath: partial)
        for sub in ["refined", "quarantine"] {
            try FileManager.default.createDirectory(atPath: partial + "/" + sub, withIntermediateDirectories: true)
        }
    }

    mutating func write(_ records: [KafkaRecord]) throws {
        var good: [Int32: [UInt8]] = [:]
        var bad: [Int32: Data] = [:]
        for (record, refined) in zip(records, refineAll(records)) {
            if ranges[record.partition] == nil { try open(record) }
            switch refined {
            case .success(let tweet):
                guard ranges[record.partition]!.seen.insert(tweet.id).inserted else {
                    duplicateCount += 1
                    continue
                }
                good[record.partition, default: []] += tweet.line
                refinedCount += 1
            case .failure(let error):
                let origin = Self.origin(record, dagID: dagID, runID: runID)
                bad[record.partition, default: Data()].append(Self.quarantineLine(record, origin: origin, reason: error.reason)
                                                              + [UInt8(ascii: "\n")])
                refused.append(Refused(letter: .init(partition: record.partition, offset: record.offset, reason: error.reason),
                                       message: KafkaMessage(key: record.key, value: record.value, headers: record.headers + [
                    KafkaHeader(key: "roost.reason", value: Array(error.reason.utf8)),
                    KafkaHeader(key: "roost.origin", value: Array("\(record.topic)/\(record.partition)/\(record.offset)".utf8)),
                ])))
            }
        }
        for (partition, bytes) in good { try ranges[partition]!.refined.write(contentsOf: bytes) }
        for (partition, bytes) in bad { try ranges[partition]!.quarantine.write(contentsOf: bytes) }
    }

    private static func origin(_ record: KafkaRecord, dagID: String, runID: String) -> RefinedTweet.Origin {
        RefinedTweet.Origin(dagID: dagID, runID: runID, topic: record.topic, partition: record.partition, offset: record.offset)
    }

    /// Each record refined (its tweet id and JSON line) or refused, in order. Parsing is most of
    /// refine's work and each record's is independent, so it runs on every core.
    private func refineAll(_ records: [KafkaRecord]) -> [Result<(id: String, line: [UInt8]), RefineError>] {
        let (dagID, runID) = (dagID, runID)
        return records.concurrentMap { record in
            do throws(RefineError) {
                let tweet = try RefinedTweet(rawValue: Data(record.value ?? []), origin: Self.origin(record, dagID: dagID, runID: runID))
                var line: [UInt8] = []
                tweet.appendJSONLine(to: &line)
                return .success((tweet.tweetID, line))
            } catch {
                return .failure(error)
            }
        }
    }

    /// Starts the files of a partition's range at its first record.
    private mutating func open(_ first: KafkaRecord) throws {
        let name = "\(first.topic)-\(first.partition)-\(String(format: "%012lld", first.offset)).jsonl"
        ranges[first.partition] = RangeFiles(refined: try Self.create(partial + "/refined/" + name),
                                              quarantine: try Self.create(partial + "/quarantine/" + name))
    }

    private static func create(_ path: String) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw TaskParamError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return handle
    }

    private mutating func closeFiles() throws {
        for files in ranges.values {
            for handle in [files.refined, files.quarantine] {
                try handle.synchronize()
                try handle.close()
            }
        }
        ranges = [:]
    }

    static func quarantineLine(_ record: KafkaRecord, origin: RefinedTweet.Origin, reason: String) -> Data {
        let value: JSONValue = record.value.map { String(validating: $0, as: UTF8.self).map(JSONValue.string)
            ?? .object(["base64": .string(Data($0).base64EncodedString())]) } ?? .null
        return JSONValue.object([
            "reason": .string(reason), "dag_id": .string(origin.dagID), "run_id": .string(origin.runID),
            "topic": .string(origin.topic), "partition": .int(Int64(origin.partition)), "offset": .int(origin.offset),
            "value": value,
        ]).serialized()
    }

    mutating func commit() throws {
        try closeFiles()
        // Partitions arrived interleaved: offset order makes the dead letters' order the same on every try.
        refused.sort { ($0.letter.partition, $0.letter.offset) < ($1.letter.partition, $1.letter.offset) }
        // An earlier try may have completed the folder and died before the task succeeded: its
        // content is the same (same ranges), so it is replaced.
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: folder).deletingLastPathComponent().path,
                                                withIntermediateDirectories: true)
        guard rename(partial, folder) == 0 else {
            throw TaskParamError("cannot rename \(partial) to \(folder): \(String(cString: strerror(errno)))")
        }
        let parent = URL(fileURLWithPath: folder).deletingLastPathComponent().path
        let prefix = URL(fileURLWithPath: folder).lastPathComponent + ".partial."
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: parent + "/" + name)
        }
    }

    func discard() {
        for files in ranges.values {
            try? files.refined.close()
            try? files.quarantine.close()
        }
        try? FileManager.default.removeItem(atPath: partial)
    }
}
