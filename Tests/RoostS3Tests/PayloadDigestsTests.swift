import Foundation
import RoostTestSupport
import Testing
@testable import RoostS3

@Suite struct PayloadDigestsTests {
    @Test func matchTheStandardCheckValues() {
        let digests = PayloadDigests(data: Data("123456789".utf8))
        #expect(digests.crc32 == 0xCBF4_3926)
        #expect(digests.crc32Bytes == [0xCB, 0xF4, 0x39, 0x26])
        #expect(digests.sha256.hex == "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225")
    }

    @Test func aSliceOfAFileHashesLikeTheSameBytesInMemory() async throws {
        let data = patternData(3 * 1024 * 1024 + 17)
        let path = temporaryPath("digests")
        try data.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let slice = try await S3Payload.file(path: path, offset: 1000, length: 2 * 1024 * 1024 + 5).digests()
        #expect(slice == PayloadDigests(data: data[1000..<(1000 + 2 * 1024 * 1024 + 5)]))
    }
}
