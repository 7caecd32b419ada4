import COpenSSL
import Foundation

/// SHA-256, MD5 and HMAC-SHA256 from libcrypto. RoostS3 is libcrypto's only wrapper.
enum Digest {
    static func sha256(_ data: some ContiguousBytes) -> [UInt8] { digest(.sha256(), data) }

    static func md5(_ data: some ContiguousBytes) -> [UInt8] { digest(.md5(), data) }

    private static func digest(_ hasher: consuming Hasher, _ data: some ContiguousBytes) -> [UInt8] {
        data.withUnsafeBytes { hasher.update($0) }
        return hasher.finish()
    }

    static func hmacSHA256(key: [UInt8], _ message: some ContiguousBytes) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBytes { key in
            message.withUnsafeBytes { message in
                _ = HMAC(EVP_sha256(), key.baseAddress, Int32(key.count), message.baseAddress?.assumingMemoryBound(to: UInt8.self),
                         message.count, &output, &length)
            }
        }
        return Array(output.prefix(Int(length)))
    }

    /// An incremental digest, for bodies read in pieces.
    struct Hasher: ~Copyable {
        private let context: OpaquePointer

        init(_ algorithm: OpaquePointer?) {
            context = EVP_MD_CTX_new()
            EVP_DigestInit_ex(context, algorithm, nil)
        }

        static func sha256() -> Hasher { Hasher(EVP_sha256()) }
        static func md5() -> Hasher { Hasher(EVP_md5()) }

        mutating func update(_ bytes: UnsafeRawBufferPointer) {
            EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
        }

        consuming func finish() -> [UInt8] {
            var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
            var length: UInt32 = 0
            EVP_DigestFinal_ex(context, &output, &length)
            return Array(output.prefix(Int(length)))
        }

        deinit { EVP_MD_CTX_free(context) }
    }
}

extension Array where Element == UInt8 {
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(count * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    var base64: String { Data(self).base64EncodedString() }
}
