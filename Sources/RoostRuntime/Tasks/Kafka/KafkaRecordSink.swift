import Foundation
import RoostKafka

/// Where `kafka_consume` puts records. Output becomes visible only at `commit`, so a try that
/// fails or is killed leaves nothing half-written and a retry writes exactly the same output.
protocol KafkaRecordSink {
    mutating func write(_ records: [KafkaRecord]) throws
    mutating func commit() throws
    func discard()
}

/// A JSON-lines file, one object per record in the order written:
/// `{"headers":[{"key":…,"value":…}],"key":…,"offset":…,"partition":…,"timestamp_ms":…,"topic":…,"value":…}`.
/// Keys, values and header values are UTF-8 strings, or `{"base64": …}` when not valid UTF-8;
/// null stays null. Written to `<path>.partial.<writer>` and renamed into place at `commit`; the
/// writer (an attempt, a process) names the partial file, so a fenced-out try that is still
/// writing never mixes its bytes with the current one's.
struct JSONLinesFileSink: KafkaRecordSink {
    let path: String
    private let partialPath: String
    private let handle: FileHandle
    /// Reused from batch to batch, so its storage is allocated once.
    private var encoder = JSONLineWriter()

    init(path: String, writer: String) throws {
        self.path = path
        partialPath = path + ".partial." + writer
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: partialPath, contents: nil),
              let handle = FileHandle(forWritingAtPath: partialPath) else {
            throw TaskParamError("cannot write \(partialPath): \(String(cString: strerror(errno)))")
        }
        self.handle = handle
    }

    mutating func write(_ records: [KafkaRecord]) throws {
        encoder.reset()
        for record in records { encoder.append(record) }
        try encoder.bytes.withUnsafeBytes { try handle.write(contentsOf: $0) }
    }

    mutating func commit() throws {
        try handle.synchronize()
        try handle.close()
        guard rename(partialPath, path) == 0 else {
            throw TaskParamError("cannot rename \(partialPath) to \(path): \(String(cString: strerror(errno)))")
        }
        removeStalePartials()
    }

    /// Partial files of tries that were killed before they could clean up.
    private func removeStalePartials() {
        let url = URL(fileURLWithPath: path)
        let prefix = url.lastPathComponent + ".partial."
        let folder = url.deletingLastPathComponent()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: partialPath)
    }
}
