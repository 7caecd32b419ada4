import Foundation

/// A local folder of saved API v2 responses: its `*.json` files in name order.
public struct TweetReplayFolder: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public func files() throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            throw TwitterIngestError("cannot read the folder \(path)")
        }
        let files = names.filter { $0.hasSuffix(".json") }.sorted().map { "\(path)/\($0)" }
        if files.isEmpty { throw TwitterIngestError("\(path) holds no .json files") }
        return files
    }
}
