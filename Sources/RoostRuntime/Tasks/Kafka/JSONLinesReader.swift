import Foundation

/// Reads a file line by line in chunks, so a large source never sits in memory whole.
/// Lines are byte arrays without their newline; empty lines are skipped.
struct JSONLinesReader {
    let path: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    /// Where the unread part of `buffer` starts: lines are sliced off by index, and the buffer is
    /// compacted only when a new chunk is read, so reading stays linear in the file's size.
    private var start = 0
    private var atEnd = false
    /// 1-based number of the last line returned, for errors naming file and line.
    private(set) var lineNumber = 0

    init(path: String) throws {
        self.path = path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TaskParamError("cannot open \(path) for reading: \(String(cString: strerror(errno)))")
        }
        self.handle = handle
    }

    /// The next non-empty line, or nil at the end of the file.
    mutating func next() throws -> [UInt8]? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = Array(buffer[start..<end])
                start = newline + 1
                lineNumber += 1
                if line.isEmpty { continue }
                return line
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                lineNumber += 1
                return Array(buffer[start...])
            }
            buffer.removeSubrange(..<start)
            start = 0
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
        }
    }

    func close() { try? handle.close() }
}
