import Foundation

/// Reads a file line by line in chunks, so a large source never sits in memory whole.
/// Each line is lent without its newline straight from the read buffer; empty lines are skipped.
struct JSONLinesReader {
    let path: String
    private let handle: FileHandle
    /// Bytes read and not yet returned are `buffer[start..<filled]`; the buffer is read into
    /// directly (no intermediate `Data`), compacted before each read and grown only for a line
    /// longer than it.
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var start = 0
    private var filled = 0
    private var atEnd = false
    /// 1-based number of the last line read.
    private var lineNumber = 0

    init(path: String) throws {
        self.path = path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TaskParamError("cannot open \(path) for reading: \(String(cString: strerror(errno)))")
        }
        self.handle = handle
    }

    /// Calls `body` with the next non-empty line (valid only during the call) and its 1-based
    /// number, and returns its result; nil at the end of the file.
    mutating func next<T>(_ body: (_ line: UnsafeRawBufferPointer, _ number: Int) throws -> T) throws -> T? {
        while true {
            if let newline = newlineIndex() {
                var end = newline
                if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = start..<end
                start = newline + 1
                lineNumber += 1
                if line.isEmpty { continue }
                return try lend(line, to: body)
            }
            if atEnd {
                guard start < filled else { return nil }
                defer { start = filled }
                lineNumber += 1
                return try lend(start..<filled, to: body)
            }
            try readChunk()
        }
    }

    private func lend<T>(_ line: Range<Int>, to body: (UnsafeRawBufferPointer, Int) throws -> T) rethrows -> T {
        try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[line]), lineNumber) }
    }

    /// The first newline in the unread bytes (memchr: a generic search was a tenth of producing).
    private func newlineIndex() -> Int? {
        buffer.withUnsafeBytes { bytes in
            guard start < filled, let found = memchr(bytes.baseAddress! + start, 0x0A, filled - start) else { return nil }
            return bytes.baseAddress!.distance(to: UnsafeRawPointer(found))
        }
    }

    /// Moves the unread bytes to the front and fills the rest of the buffer from the file.
    private mutating func readChunk() throws {
        let unread = filled - start
        if unread == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
        let (fd, from) = (handle.fileDescriptor, start)
        let count = buffer.withUnsafeMutableBytes { bytes -> Int in
            if from > 0 { memmove(bytes.baseAddress!, bytes.baseAddress! + from, unread) }
            var count: Int
            repeat { count = read(fd, bytes.baseAddress! + unread, bytes.count - unread) } while count < 0 && errno == EINTR
            return count
        }
        guard count >= 0 else { throw TaskParamError("cannot read \(path): \(String(cString: strerror(errno)))") }
        start = 0
        filled = unread + count
        if count == 0 { atEnd = true }
    }

    func close() { try? handle.close() }
}
