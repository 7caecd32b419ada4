import Foundation
import RoostCore

/// What one `s3_load` run wrote, stored beside the data. Holds no time of writing, so a retried
/// run writes the same manifest bytes.
struct S3LoadManifest: Codable, Sendable {
    struct Entry: Codable, Sendable {
        let key: String
        let bytes: UInt64
        let records: Int
        let checksumSHA256: String

        enum CodingKeys: String, CodingKey {
            case key, bytes, records
            case checksumSHA256 = "checksum_sha256"
        }
    }

    let dagID: String
    let runID: String
    let taskID: String
    let format: String
    let objects: [Entry]

    enum CodingKeys: String, CodingKey {
        case dagID = "dag_id", runID = "run_id", taskID = "task_id", format, objects
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
