import Dispatch
import Foundation
import RoostHTTP

/// A request body S3 can be sent again on retry: bytes in memory or a slice of a file.
public enum S3Payload: Sendable {
    case empty
    case data(Data)
    case file(path: String, offset: UInt64, length: UInt64)

    public var count: UInt64 {
        switch self {
        case .empty: 0
        case .data(let data): UInt64(data.count)
        case .file(_, _, let length): length
        }
    }

    /// A whole file; its size is read now.
    public static func file(_ path: String) throws -> S3Payload {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return .file(path: path, offset: 0, length: (attributes[.size] as? NSNumber)?.uint64Value ?? 0)
    }

    /// `length` bytes from `offset`, for one part of a multipart upload.
    func slice(offset: UInt64, length: UInt64) -> S3Payload {
        switch self {
        case .empty: .empty
        case .data(let data): .data(data.subdata(in: (data.startIndex + Int(offset))..<(data.startIndex + Int(offset + length))))
        case .file(let path, let start, _): .file(path: path, offset: start + offset, length: length)
        }
    }

    var httpBody: HTTPRequest.Body {
        switch self {
        case .empty: .empty
        case .data(let data): .data(data)
        case .file(let path, let offset, let length): .file(path: path, offset: offset, length: length)
        }
    }

    /// SHA-256 of the bytes: the signature's payload hash and the `x-amz-checksum-sha256` header,
    /// which S3 verifies (so no Content-MD5 pass is needed). Files are read on a queue of their
    /// own, off Swift's cooperative pool.
    func sha256() async throws -> [UInt8] {
        switch self {
        case .empty: return Digest.sha256(Data())
        case .data(let data): return Digest.sha256(data)
        case .file(let path, let offset, let length):
            return try await withCheckedThrowingContinuation { continuation in
                Self.fileQueue.async {
                    continuation.resume(with: Result { try Self.sha256(path: path, offset: offset, length: length) })
                }
            }
        }
    }

    private static let fileQueue = DispatchQueue(label: "roost.s3.payload-sha256", attributes: .concurrent)

    /// Reads with `pread` into one 1 MiB buffer: Foundation's FileHandle reads 4 KiB at a time
    /// into fresh `Data`, which made hashing a part slower than sending it.
    private static func sha256(path: String, offset: UInt64, length: UInt64) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw HTTPBodyError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var hasher = Digest.Hasher.sha256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var position = offset
        while position < offset + length {
            let count = pread(descriptor, buffer.baseAddress, Int(min(UInt64(buffer.count), offset + length - position)), off_t(position))
            guard count > 0 else {
                throw HTTPBodyError(path: path, reason: count == 0 ? "the file is shorter than expected" : String(cString: strerror(errno)))
            }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            position += UInt64(count)
        }
        return hasher.finish()
    }
}
