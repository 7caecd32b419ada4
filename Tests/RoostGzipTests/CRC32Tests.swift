import Foundation
import Testing
@testable import RoostGzip

@Suite struct CRC32Tests {
    @Test func matchesTheStandardCheckValue() {
        let check = Array("123456789".utf8)
        #expect(check.withUnsafeBytes { Gzip.crc32($0) } == 0xCBF4_3926)
        #expect(check.withUnsafeBytes { Gzip.zlibCRC32($0, continuing: 0) } == 0xCBF4_3926)
        #expect([UInt8]().withUnsafeBytes { Gzip.crc32($0) } == 0)
    }

    /// Random lengths (below, at and past the 16- and 64-byte blocks), unaligned starts and
    /// continued CRCs, so every path of the folding code meets zlib's answer.
    @Test(.enabled(if: Gzip.hasCarrylessMultiply, "the CPU has no carry-less multiply"))
    func carrylessMultiplyAgreesWithZlib() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes.withUnsafeBytes { all in
            for round in 0..<4000 {
                let length = round < 3000 ? Int.random(in: 0...300) : Int.random(in: 0...(1 << 19))
                let start = Int.random(in: 0...1000)
                let slice = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                let initial = round % 2 == 0 ? 0 : UInt32.random(in: 0...UInt32.max)
                #expect(Gzip.carrylessCRC32(slice, continuing: initial) == Gzip.zlibCRC32(slice, continuing: initial),
                        "length \(length) at \(start) from \(initial)")
            }
            // A megabyte in uneven pieces, as bodies are fed.
            var crc: UInt32 = 0
            var position = 0
            while position < all.count {
                let end = min(all.count, position + Int.random(in: 1...100_000))
                crc = Gzip.carrylessCRC32(UnsafeRawBufferPointer(rebasing: all[position..<end]), continuing: crc)
                position = end
            }
            #expect(crc == Gzip.zlibCRC32(all, continuing: 0))
        }
    }
}
