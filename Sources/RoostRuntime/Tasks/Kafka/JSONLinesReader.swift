import Foundation

/// Reads a file line by line in chunks, so a large source never sits in memory whole.
/// Lines are byte arrays without their newline; empty lines are skipped.
struct JSONLinesReader {
    let path: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var atEnd = false
    /// 1-based number of the last line returned, for errors naming file and line.
    private(set) var lineNumber = 0

    init(path: String) throws {
        self.path = path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TaskParamError("params.path: cannot open \(path) for reading")
        }
        self.handle = handle
    }

    /// The next non-empty line, or nil at the end of the file.
    mutating func next() throws -> [UInt8]? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                lineNumber += 1
                if line.isEmpty || line == [UInt8(ascii: "\r")] { continue }
                return line.last == UInt8(ascii: "\r") ? Array(line.dropLast()) : line
            }
            if atEnd {
                guard !buffer.isEmpty else { return nil }
                defer { buffer = [] }
                lineNumber += 1
                return buffer
            }
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { atEnd = true } else { buffer += chunk }
        }
    }

    func close() { try? handle.close() }
}
