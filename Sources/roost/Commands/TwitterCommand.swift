import ArgumentParser
import Foundation
import RoostCore
import RoostRuntime

struct TwitterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twitter", abstract: "Work with X API v2 data (twitter.* in the config).",
        subcommands: [CheckPages.self])
}

extension TwitterCommand {
    /// Decodes a replay folder as `twitter_ingest` would, before a backfill relies on it; also the
    /// decoding benchmark (`scripts/bench-twitter.sh`).
    struct CheckPages: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-pages",
            abstract: "Decode a folder of saved API v2 pages as a replay would, and say what they hold and how fast they decode.")
        @Argument(help: "The folder of *.json pages.") var folder: String
        @Option(help: "Decode everything this many times and report the fastest pass.") var passes = 1

        func validate() throws {
            if passes < 1 { throw ValidationError("--passes must be at least 1") }
        }

        func run() throws {
            let files = try TweetReplayFolder(path: folder).files()
            let contents = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
            var fastest = Duration.seconds(Int64.max)
            var tally = Tally()
            for _ in 0..<passes {
                let clock = ContinuousClock()
                var pass = Tally()
                let elapsed = try clock.measure {
                    for (file, data) in zip(files, contents) {
                        for page in try XPage.decodeSaved(data, what: file) { pass.add(page) }
                    }
                }
                fastest = min(fastest, elapsed)
                tally = pass
            }
            let bytes = contents.reduce(0) { $0 + $1.count }
            print("\(folder): \(files.count) files, \(tally.pages) pages, \(tally.tweets) tweets (\(tally.withAuthor) with their author, "
                  + "\(tally.malformed) without an id), \(tally.partialErrors) partial errors")
            print(String(format: "decoded %.2f MB in %.4f s: %.1f MB/s, %.0f tweets/s (fastest of %d)", Double(bytes) / 1e6,
                         fastest.seconds, Double(bytes) / 1e6 / fastest.seconds, Double(tally.tweets) / fastest.seconds, passes))
        }
    }

    struct Tally {
        var pages = 0, tweets = 0, withAuthor = 0, malformed = 0, partialErrors = 0

        mutating func add(_ page: XPage) {
            let (joined, malformed) = page.joinedTweets()
            pages += 1
            tweets += joined.count
            withAuthor += joined.filter { $0.author != nil }.count
            self.malformed += malformed
            partialErrors += page.errors.count
        }
    }
}
