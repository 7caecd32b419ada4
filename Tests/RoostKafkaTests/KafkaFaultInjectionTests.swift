import Foundation
import RoostKafka
import RoostTestSupport
import Synchronization
import Testing

/// The idempotent producer through a broker outage on the embedded cluster.
@Suite struct KafkaFaultInjectionTests {
    @Test func aBrokerDownAndUpDuringAProduceLosesAndDuplicatesNothing() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 3)
        try await cluster.createTopic("outage", partitions: 6)
        let config = KafkaClientConfig(bootstrapServers: cluster.bootstrapServers)
        // The mock lists its brokers by id, from 1.
        let brokerPort = try #require(cluster.bootstrapServers.split(separator: ",")[1].split(separator: ":").last.flatMap { Int($0) })
        let producer = try KafkaProducer(config: config)
        try await producer.send([KafkaMessage(value: Array("warm-up".utf8))], to: "outage")
        #expect(producer.lastClientError == nil)

        // The outage must begin while a send is under way; on a fast machine a send can end before the
        // broker is taken down, so such a round is repeated (a few rounds at most).
        let count = 100_000
        let admin = try KafkaAdmin(config: config)
        var rounds = 0
        var overlapped = false
        while !overlapped && rounds < 5 {
            let round = rounds
            rounds += 1
            let before = try await admin.watermarks(topic: "outage").map(\.high).reduce(0, +)
            let finished = Atomic<Bool>(false)
            let sending = Task {
                defer { finished.store(true, ordering: .releasing) }
                return try await producer.send((0..<count).map { KafkaMessage(key: Array("k\($0)".utf8), value: Array("r\(round)-\($0)".utf8)) },
                                               to: "outage")
            }
            try await eventually(timeout: .seconds(60), "some records of round \(round) are written") {
                try await admin.watermarks(topic: "outage").map(\.high).reduce(0, +) > before
            }
            try await cluster.setBrokerDown(2)
            // Held while the broker is down (a bound socket refuses connections as a closed port does):
            // bringing the broker up binds its port again, and librdkafka's mock aborts the whole test
            // process if another socket of the parallel tests took the port meanwhile.
            let held = try ClosedLoopbackPort(port: brokerPort)
            overlapped = !finished.load(ordering: .acquiring)
            if overlapped {
                try await eventually(timeout: .seconds(60), "the producer notices the broker is gone") { producer.lastClientError != nil }
            }
            held.release()
            try await cluster.setBrokerUp(2)
            let report = try await sending.value
            #expect(report.delivered == count)
        }
        #expect(overlapped, "no outage began during a send in \(rounds) rounds")
        try await producer.close()

        // Every value byte for byte, with its key: librdkafka resent the records from our buffers.
        let records = try await readWholeTopic(config, topic: "outage")
        await admin.close()
        let expected = ["warm-up"] + (0..<rounds).flatMap { round in (0..<count).map { "k\($0) r\(round)-\($0)" } }
        let received = records.map { "\($0.key.map { String(decoding: $0, as: UTF8.self) + " " } ?? "")\(String(decoding: $0.value ?? [], as: UTF8.self))" }
        #expect(received.count == expected.count)
        #expect(zip(received.sorted(), expected.sorted()).filter { $0 != $1 }.count == 0)
    }

    /// A batch may be refilled as soon as it is enqueued, while its records still wait for a
    /// broker: they arrive as they were (librdkafka copies them now; a zero-copy producer, which
    /// points into the batch's buffer until each report, must not let the refill overwrite them).
    @Test func aBatchRefilledWhileItsRecordsWaitForABrokerLeavesThemIntact() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        try await cluster.createTopic("refilled", partitions: 3)
        let config = KafkaClientConfig(bootstrapServers: cluster.bootstrapServers)
        let brokerPort = try #require(cluster.bootstrapServers.split(separator: ":").last.flatMap { Int($0) })
        let producer = try KafkaProducer(config: config)
        try await producer.send([KafkaMessage(value: Array("warm-up".utf8))], to: "refilled")

        try await cluster.setBrokerDown(1)
        let held = try ClosedLoopbackPort(port: brokerPort)  // see aBrokerDownAndUpDuringAProduceLosesAndDuplicatesNothing
        func value(_ name: String, _ index: Int) -> [UInt8] { Array("\(name)-\(index)-".utf8) + (0..<1000).map { UInt8(truncatingIfNeeded: index &+ $0) } }
        var batch = KafkaMessageBatch()
        for index in 0..<1000 { value("first", index).withUnsafeBytes { batch.append(key: nil, value: $0) } }
        let first = producer.enqueue(batch, to: "refilled")
        await first.enqueued()
        batch.removeAll()
        for index in 0..<1000 { value("second", index).withUnsafeBytes { batch.append(key: nil, value: $0) } }
        let second = producer.enqueue(batch, to: "refilled", after: first)
        await second.enqueued()
        #expect(!first.isSettled, "the first batch was delivered before the broker went down")
        held.release()
        try await cluster.setBrokerUp(1)
        #expect(try await first.report().delivered == 1000)
        #expect(try await second.report().delivered == 1000)
        try await producer.close()

        let values = try await readWholeTopic(config, topic: "refilled").compactMap(\.value)
        let expected = [Array("warm-up".utf8)] + ["first", "second"].flatMap { name in (0..<1000).map { value(name, $0) } }
        let ordered: ([UInt8], [UInt8]) -> Bool = { $0.lexicographicallyPrecedes($1) }
        #expect(values.count == expected.count)
        #expect(zip(values.sorted(by: ordered), expected.sorted(by: ordered)).filter { $0 != $1 }.count == 0)
    }
}
