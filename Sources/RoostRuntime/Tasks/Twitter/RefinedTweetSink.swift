import Foundation
import RoostCore
import RoostKafka

/// Where `kafka_consume` with `transform: refine_tweets` puts records: a folder with
/// `refined/<topic>-<partition>-<first offset>.jsonl` (one `RefinedTweet` a line) and
/// `quarantine/<topic>-<partition>-<first offset>.jsonl` (the raw record and why it was refused).
/// File names come from the offset ranges, so the lake keys made from them are deterministic.
/// A tweet seen again in the ranges (a retried `twitter_ingest` produces again what a killed try
/// already sent; the producer keys by tweet id, so copies share a partition) is dropped: the
/// first copy, in offset order, is the one kept, so every try keeps the same one.
/// Written as `<folder>.partial.<writer>` and renamed into place at `commit`.
struct RefinedTweetSink: KafkaRecordSink {
    let folder: String
    let dagID: String
    let runID: String
    private let partial: String
    private var refined: FileHandle?
    private var quarantine: FileHandle?
    private var partition: Int32?
    private(set) var refinedCount = 0
    private(set) var duplicateCount = 0
    private var seen: Set<String> = []
    /// The refused records, to send to the dead-letter topic once the output is complete.
    private(set) var deadLetters: [KafkaMessage] = []

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
        var good = Data()
        var bad = Data()
        for record in records {
            if record.partition != partition { try open(record) }
            let origin = RefinedTweet.Origin(dagID: dagID, runID: runID, topic: record.topic, partition: record.partition, offset: record.offset)
            do throws(RefineError) {
                let tweet = try RefinedTweet(rawValue: Data(record.value ?? []), origin: origin)
                guard seen.insert(tweet.tweetID).inserted else {
                    duplicateCount += 1
                    continue
                }
                good.append(tweet.json.serialized())
                good.append(UInt8(ascii: "\n"))
                refinedCount += 1
            } catch {
                bad.append(Self.quarantineLine(record, origin: origin, reason: error.reason))
                bad.append(UInt8(ascii: "\n"))
                deadLetters.append(KafkaMessage(key: record.key, value: record.value, headers: record.headers + [
                    KafkaHeader(key: "roost.reason", value: Array(error.reason.utf8)),
                    KafkaHeader(key: "roost.origin", value: Array("\(record.topic)/\(record.partition)/\(record.offset)".utf8)),
                ]))
            }
        }
        try refined?.write(contentsOf: good)
        if !bad.isEmpty { try quarantine?.write(contentsOf: bad) }
    }

    /// Starts the files of a new range: records arrive one range (partition) at a time.
    private mutating func open(_ first: KafkaRecord) throws {
        try closeFiles()
        let name = "\(first.topic)-\(first.partition)-\(String(format: "%012lld", first.offset)).jsonl"
        refined = try Self.create(partial + "/refined/" + name)
        quarantine = try Self.create(partial + "/quarantine/" + name)
        partition = first.partition
    }

    private static func create(_ path: String) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw TaskParamError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return handle
    }

    private mutating func closeFiles() throws {
        for handle in [refined, quarantine].compactMap({ $0 }) {
            try handle.synchronize()
            try handle.close()
        }
        refined = nil
        quarantine = nil
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
        try? refined?.close()
        try? quarantine?.close()
        try? FileManager.default.removeItem(atPath: partial)
    }
}
