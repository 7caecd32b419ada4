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

        let records = try await readWholeTopic(config, topic: "outage")
        let values = Set(records.map { String(decoding: $0.value ?? [], as: UTF8.self) })
        await admin.close()
        #expect(records.count == rounds * count + 1)
        #expect(values.count == rounds * count + 1)
    }
}
