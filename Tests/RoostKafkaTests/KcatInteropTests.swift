import Foundation
import RoostKafka
import RoostTestSupport
import Testing

/// Interop with a client Roost did not write: kcat against `roost dev kafka` in another process.
@Suite struct KcatInteropTests {
    static let kcat = "/usr/bin/kcat"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: kcat), "needs kcat (make setup installs it)"))
    func recordsCrossBetweenKcatAndRoostIntact() async throws {
        let dev = try DevKafkaProcess(arguments: ["--brokers", "2", "--topic", "interop", "--partitions", "2"])
        let servers = try await dev.bootstrapServers()
        let config = KafkaClientConfig(bootstrapServers: servers)

        // kcat → Roost: keys, headers and values intact.
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("kcat-in-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: input) }
        try "k1\tvalue one\nk2\t{\"json\": true}\n".write(toFile: input, atomically: true, encoding: .utf8)
        let produced = try await ProcessRunner.run(Self.kcat, ["-P", "-b", servers, "-t", "interop", "-K", "\t",
                                                               "-H", "source=kcat", "-H", "n=1", "-l", input])
        #expect(produced.status == 0, "\(produced.stderr)")
        let records = try await readWholeTopic(config, topic: "interop")
        let byKey = Dictionary(uniqueKeysWithValues: records.map { (String(decoding: $0.key ?? [], as: UTF8.self), $0) })
        #expect(byKey.count == 2)
        #expect(byKey["k1"]?.value == Array("value one".utf8))
        #expect(byKey["k2"]?.value == Array("{\"json\": true}".utf8))
        #expect(byKey["k1"]?.headers == [KafkaHeader(key: "source", value: Array("kcat".utf8)), KafkaHeader(key: "n", value: Array("1".utf8))])

        // Roost → kcat.
        let producer = try KafkaProducer(config: config)
        try await producer.send([KafkaMessage(key: Array("rk".utf8), value: Array("from roost".utf8),
                                              headers: [KafkaHeader(key: "trace", value: Array("abc".utf8))], partition: 1)], to: "interop")
        try await producer.close()
        let read = try await ProcessRunner.run(Self.kcat, ["-C", "-b", servers, "-t", "interop", "-p", "1", "-o", "beginning", "-e",
                                                           "-f", "%k|%s|%h\\n"])
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.stdout.split(separator: "\n").contains("rk|from roost|trace=abc"))
        dev.signal(SIGTERM)
        #expect(try await dev.waitForExit() == 0)
    }
}
