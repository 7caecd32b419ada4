import Foundation
import RoostKafka
import RoostTestSupport
import Testing

@Suite struct KafkaGroupConsumerTests {
    @Test func twoMembersShareTheTopicAndTogetherReadEveryRecordOnce() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        try await cluster.createTopic("group", partitions: 4)
        let config = KafkaClientConfig(bootstrapServers: cluster.bootstrapServers,
                                       properties: ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500",
                                                    "auto.offset.reset": "earliest"])
        let members = try (0..<2).map { _ in try KafkaGroupConsumer(config: config, groupID: "sharing", topics: ["group"]) }
        // Both members hold partitions before anything is produced, so no rebalance interrupts the reading.
        try await eventually(timeout: .seconds(60), "the group settles with both members") {
            for member in members {
                let early = try await member.nextBatch(wait: .milliseconds(100))
                #expect(early.isEmpty)
            }
            return members.allSatisfy { !$0.assignment.isEmpty } && members[0].assignment.union(members[1].assignment).count == 4
        }
        let producer = try KafkaProducer(config: config)
        try await producer.send((0..<200).map { KafkaMessage(key: Array("k\($0)".utf8), value: Array("v\($0)".utf8)) }, to: "group")
        try await producer.close()

        var seen: [[KafkaRecord]] = [[], []]
        let deadline = ContinuousClock.now + .seconds(60)
        while seen[0].count + seen[1].count < 200, ContinuousClock.now < deadline {
            async let first = members[0].nextBatch(wait: .milliseconds(200))
            async let second = members[1].nextBatch(wait: .milliseconds(200))
            let batches = try await [first, second]
            for (i, batch) in batches.enumerated() {
                seen[i] += batch
                try await members[i].commit(batch)
            }
        }
        let all = seen[0] + seen[1]
        #expect(all.count == 200)
        #expect(Set(all.map { String(decoding: $0.value!, as: UTF8.self) }).count == 200)
        // Each partition was read by one member only.
        #expect(Set(seen[0].map(\.partition)).isDisjoint(with: Set(seen[1].map(\.partition))))
        #expect(members[0].assignment.union(members[1].assignment).count == 4)
        for member in members { await member.close() }

        let check = try KafkaBoundedConsumer(config: config, groupID: "sharing", topic: "group")
        let committed = try await check.committedOffsets(partitions: [0, 1, 2, 3])
        let high = try await check.watermarks()
        #expect(high.allSatisfy { committed[$0.partition] == $0.high })
        await check.close()
    }
}
