import CZlib
import Foundation

/// gzip with zlib, the only wrapper of it. Output is deterministic: the header carries no file
/// name and a zero modification time, so the same input and level always give the same bytes
/// (what makes a retried `s3_load` rewrite identical objects).
public enum Gzip {
    public static func compress(_ data: Data, level: Int32 = 6) throws -> Data {
        try data.withUnsafeBytes { input in
            var stream = z_stream()
            guard roost_deflate_init_gzip(&stream, level) == Z_OK else { throw GzipError("deflateInit failed") }
            defer { deflateEnd(&stream) }
            var output = Data(count: Int(deflateBound(&stream, uLong(input.count))) + 32)
            let status = output.withUnsafeMutableBytes { out -> Int32 in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(out.count)
                return deflate(&stream, Z_FINISH)
            }
            guard status == Z_STREAM_END else { throw GzipError("deflate returned \(status)") }
            output.count = Int(stream.total_out)
            return output
        }
    }

    public static func decompress(_ data: Data) throws -> Data {
        try data.withUnsafeBytes { input in
            var stream = z_stream()
            guard roost_inflate_init_gzip(&stream) == Z_OK else { throw GzipError("inflateInit failed") }
            defer { inflateEnd(&stream) }
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            var output = Data()
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { buffer -> Int32 in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
                if status == Z_STREAM_END { return output }
                guard status == Z_OK else { throw GzipError("not valid gzip data (inflate returned \(status))") }
            }
        }
    }
}

public struct GzipError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
