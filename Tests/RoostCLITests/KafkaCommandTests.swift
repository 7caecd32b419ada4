import Foundation
import RoostTestSupport
import Testing

/// `roost dev kafka`, `roost kafka topics create|list` and `roost kafka offsets` as users run them:
/// each a separate process, finding the cluster through the bootstrap file.
@Suite struct KafkaCommandTests {
    @Test func topicsAndOffsetsAgainstTheEmbeddedCluster() async throws {
        let dev = try DevKafkaProcess(arguments: ["--brokers", "1", "--topic", "made-at-start", "--partitions", "2"])
        let servers = try await dev.bootstrapServers()
        let env = dev.environment

        let created = try await ProcessRunner.roost(["kafka", "topics", "create", "orders", "--partitions", "5"], environment: env)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout == "created: orders (5 partitions)\n")
        let again = try await ProcessRunner.roost(["kafka", "topics", "create", "orders", "--partitions", "9"], environment: env)
        #expect(again.stdout == "exists: orders (5 partitions)\n")

        let list = try await ProcessRunner.roost(["kafka", "topics", "list"], environment: env)
        #expect(list.stdout == """
            TOPIC          PARTITIONS  REPLICATION_FACTOR
            made-at-start  2           1
            orders         5           1

            """)
        let json = try await ProcessRunner.roost(["kafka", "topics", "list", "--output", "json", "--internal"], environment: env)
        let topics = try JSONDecoder().decode([[String: String]].self, from: Data(json.stdout.utf8)).compactMap { $0["topic"] }
        #expect(topics.contains("orders") && topics.contains { $0.hasPrefix("__") })

        let input = FileManager.default.temporaryDirectory.appendingPathComponent("orders-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: input) }
        try "a\nb\nc\n".write(toFile: input, atomically: true, encoding: .utf8)
        let produced = try await ProcessRunner.run("/usr/bin/kcat", ["-P", "-b", servers, "-t", "orders", "-p", "3", "-l", input])
        #expect(produced.status == 0, "\(produced.stderr)")
        let offsets = try await ProcessRunner.roost(["kafka", "offsets", "orders", "--group", "nobody", "--output", "json"], environment: env)
        #expect(offsets.status == 0, "\(offsets.stderr)")
        let rows = try JSONDecoder().decode([[String: String]].self, from: Data(offsets.stdout.utf8))
        #expect(rows.map { $0["partition"] } == ["0", "1", "2", "3", "4"])
        #expect(rows.map { $0["high"] } == ["0", "0", "0", "3", "0"])
        #expect(rows.map { $0["lag"] } == ["0", "0", "0", "3", "0"])
        #expect(rows.allSatisfy { $0["committed"] == "-" })

        let unknown = try await ProcessRunner.roost(["kafka", "offsets", "missing"], environment: env)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown topic missing"))
        dev.signal(SIGTERM)
        #expect(try await dev.waitForExit() == 0)
        #expect(!FileManager.default.fileExists(atPath: dev.bootstrapFile))
    }

    @Test func withoutBrokersOrABootstrapFileTheErrorSaysWhatToDo() async throws {
        let result = try await ProcessRunner.roost(["kafka", "topics", "list"], environment: [
            "ROOST_KAFKA_BOOTSTRAP_SERVERS": "", "ROOST_KAFKA_BOOTSTRAP_FILE": "/nonexistent/kafka-bootstrap",
        ])
        #expect(result.status != 0)
        #expect(result.stderr.contains("/nonexistent/kafka-bootstrap"))
        #expect(result.stderr.contains("roost dev kafka"))
    }

    @Test func anInvalidPropertyNamesTheKey() async throws {
        let result = try await ProcessRunner.roost(["kafka", "topics", "list"], environment: [
            "ROOST_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", "ROOST_KAFKA_PROPERTIES": "acks=several",
        ])
        #expect(result.status != 0)
        #expect(result.stderr.contains("kafka.properties.acks"))
    }
}
