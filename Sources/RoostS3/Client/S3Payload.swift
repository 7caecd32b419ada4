import Dispatch
import Foundation
import RoostGzip
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

    /// SHA-256 (the signature's payload hash, and `x-amz-checksum-sha256` of single PUTs) and
    /// CRC-32 (`x-amz-checksum-crc32` of parts), in one pass. Files are read on a queue of their
    /// own, off Swift's cooperative pool.
    func digests() async throws -> PayloadDigests {
        switch self {
        case .empty: return PayloadDigests(data: Data())
        case .data(let data): return PayloadDigests(data: data)
        case .file(let path, let offset, let length):
            return try await withCheckedThrowingContinuation { continuation in
                Self.fileQueue.async {
                    continuation.resume(with: Result { try PayloadDigests(path: path, offset: offset, length: length) })
                }
            }
        }
    }

    private static let fileQueue = DispatchQueue(label: "roost.s3.payload-digests", attributes: .concurrent)
}

struct PayloadDigests: Sendable, Equatable {
    let sha256: [UInt8]
    let crc32: UInt32

    /// Big-endian, as S3 combines and (in base64) sends it.
    var crc32Bytes: [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: crc32 >> $0) } }

    init(data: Data) {
        var sha256 = Digest.Hasher.sha256()
        var crc32: UInt32 = 0
        data.withUnsafeBytes {
            sha256.update($0)
            crc32 = Gzip.crc32($0)
        }
        self.sha256 = sha256.finish()
        self.crc32 = crc32
    }

    /// Reads with `pread` into one 1 MiB buffer: Foundation's FileHandle reads 4 KiB at a time
    /// into fresh `Data`, which made hashing a part slower than sending it.
    init(path: String, offset: UInt64, length: UInt64) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw HTTPBodyError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var sha256 = Digest.Hasher.sha256()
        var crc32: UInt32 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var position = offset
        while position < offset + length {
            let count = pread(descriptor, buffer.baseAddress, Int(min(UInt64(buffer.count), offset + length - position)), off_t(position))
            guard count > 0 else {
                throw HTTPBodyError(path: path, reason: count == 0 ? "the file is shorter than expected" : String(cString: strerror(errno)))
            }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[..<count])
            sha256.update(chunk)
            crc32 = Gzip.crc32(chunk, continuing: crc32)
            position += UInt64(count)
        }
        self.sha256 = sha256.finish()
        self.crc32 = crc32
    }
}
