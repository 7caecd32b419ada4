import CZlib

extension Gzip {
    /// zlib's CRC-32 (gzip's trailer checksum, and S3's `x-amz-checksum-crc32`) of `bytes`,
    /// continuing from `crc` so that a body can be fed in pieces.
    public static func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        UInt32(crc32_z(uLong(crc), bytes.baseAddress?.assumingMemoryBound(to: Bytef.self), bytes.count))
    }
}
