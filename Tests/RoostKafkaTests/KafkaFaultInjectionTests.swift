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
        let producer = try KafkaProducer(config: config)
        try await producer.send([KafkaMessage(value: Array("warm-up".utf8))], to: "outage")
        #expect(producer.lastClientError == nil)

        let count = 100_000
        let finished = Atomic<Bool>(false)
        let sending = Task {
            defer { finished.store(true, ordering: .releasing) }
            return try await producer.send((0..<count).map { KafkaMessage(key: Array("k\($0)".utf8), value: Array("r\($0)".utf8)) },
                                           to: "outage")
        }
        let admin = try KafkaAdmin(config: config)
        try await eventually(timeout: .seconds(60), "some records are written") {
            try await admin.watermarks(topic: "outage").map(\.high).reduce(0, +) > 1_000
        }
        try await cluster.setBrokerDown(2)
        let endedBeforeOutage = finished.load(ordering: .acquiring)
        #expect(!endedBeforeOutage, "the outage began after the produce had ended")
        try await eventually(timeout: .seconds(60), "the producer notices the broker is gone") { producer.lastClientError != nil }
        try await cluster.setBrokerUp(2)
        let report = try await sending.value
        #expect(report.delivered == count)
        try await producer.close()

        let records = try await readWholeTopic(config, topic: "outage")
        let values = Set(records.map { String(decoding: $0.value ?? [], as: UTF8.self) })
        await admin.close()
        #expect(records.count == count + 1)
        #expect(values.count == count + 1)
    }
}
