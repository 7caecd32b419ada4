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

    /// SHA-256 (for the signature and checksum header) and MD5 (Content-MD5), in one pass.
    /// Files are read on a queue of their own, off Swift's cooperative pool.
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

struct PayloadDigests: Sendable {
    let sha256: [UInt8]
    let md5: [UInt8]

    init(data: Data) {
        var sha = Digest.Hasher.sha256(), md5 = Digest.Hasher.md5()
        data.withUnsafeBytes { sha.update($0); md5.update($0) }
        self.sha256 = sha.finish()
        self.md5 = md5.finish()
    }

    init(path: String, offset: UInt64, length: UInt64) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw HTTPBodyError(path: path, reason: "cannot open it for reading")
        }
        defer { try? handle.close() }
        try handle.seek(toOffset: offset)
        var sha = Digest.Hasher.sha256(), md5 = Digest.Hasher.md5()
        var remaining = length
        while remaining > 0 {
            let chunk = try handle.read(upToCount: Int(min(remaining, 1 << 20))) ?? Data()
            guard !chunk.isEmpty else { throw HTTPBodyError(path: path, reason: "the file is shorter than expected") }
            chunk.withUnsafeBytes { sha.update($0); md5.update($0) }
            remaining -= UInt64(chunk.count)
        }
        self.sha256 = sha.finish()
        self.md5 = md5.finish()
    }
}
