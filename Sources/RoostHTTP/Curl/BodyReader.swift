import Foundation

/// Feeds a request body to libcurl's read callback, chunk by chunk, so only curl's buffer of a
/// file or stream is in memory at once.
final class BodyReader {
    /// Bytes to send, when known up front (else the body goes chunked).
    let length: UInt64?
    private var source: Source

    private enum Source {
        case data(Data, position: Int)
        case file(descriptor: Int32, path: String, start: UInt64, remaining: UInt64)
        case stream(next: @Sendable () throws -> Data?, pending: Data)
    }

    init(_ body: HTTPRequest.Body) throws {
        switch body {
        case .empty:
            length = 0
            source = .data(Data(), position: 0)
        case .data(let data):
            length = UInt64(data.count)
            source = .data(data, position: 0)
        case .stream(let length, let next):
            self.length = length
            source = .stream(next: next, pending: Data())
        case .file(let path, let offset, let requested):
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw HTTPBodyError(path: path, reason: String(cString: strerror(errno))) }
            var info = stat()
            guard fstat(descriptor, &info) == 0, lseek(descriptor, off_t(offset), SEEK_SET) >= 0 else {
                close(descriptor)
                throw HTTPBodyError(path: path, reason: String(cString: strerror(errno)))
            }
            let available = UInt64(info.st_size) > offset ? UInt64(info.st_size) - offset : 0
            let length = requested ?? available
            guard length <= available else {
                close(descriptor)
                throw HTTPBodyError(path: path, reason: "\(length) bytes from offset \(offset) asked for, the file has \(info.st_size)")
            }
            self.length = length
            source = .file(descriptor: descriptor, path: path, start: offset, remaining: length)
        }
    }

    deinit {
        if case .file(let descriptor, _, _, _) = source { close(descriptor) }
    }

    /// Moves back to `offset` bytes into the body; false for streams, which cannot go back.
    func rewind(to offset: UInt64) -> Bool {
        guard let length, offset <= length else { return false }
        switch source {
        case .data(let data, _):
            source = .data(data, position: Int(offset))
            return true
        case .file(let descriptor, let path, let start, _):
            guard lseek(descriptor, off_t(start + offset), SEEK_SET) >= 0 else { return false }
            source = .file(descriptor: descriptor, path: path, start: start, remaining: length - offset)
            return true
        case .stream:
            return false
        }
    }

    /// Fills `buffer` with the next bytes; 0 means the body is complete.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        switch source {
        case .data(let data, let position):
            let count = min(buffer.count, data.count - position)
            let start = data.startIndex + position
            data.copyBytes(to: buffer.bindMemory(to: UInt8.self), from: start..<(start + count))
            source = .data(data, position: position + count)
            return count
        case .file(let descriptor, let path, let start, let remaining):
            guard remaining > 0 else { return 0 }
            let count = Foundation.read(descriptor, buffer.baseAddress, Int(min(UInt64(buffer.count), remaining)))
            guard count > 0 else {
                throw HTTPBodyError(path: path, reason: count == 0 ? "the file shrank while it was sent" : String(cString: strerror(errno)))
            }
            source = .file(descriptor: descriptor, path: path, start: start, remaining: remaining - UInt64(count))
            return count
        case .stream(let next, var pending):
            while pending.isEmpty {
                guard let chunk = try next() else { return 0 }
                pending = chunk
            }
            let count = min(buffer.count, pending.count)
            pending.copyBytes(to: buffer.bindMemory(to: UInt8.self), count: count)
            source = .stream(next: next, pending: pending.dropFirst(count))
            return count
        }
    }
}

/// A request body file that could not be read.
public struct HTTPBodyError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "cannot send \(path): \(reason)" }

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}
