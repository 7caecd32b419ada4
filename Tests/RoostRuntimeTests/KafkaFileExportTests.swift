import RoostKafka
@testable import RoostRuntime
import Testing

@Suite struct KafkaFileExportTests {
    static func range(_ partition: Int32, _ count: Int64) -> KafkaOffsetRange {
        KafkaOffsetRange(partition: partition, start: 100, end: 100 + count)
    }

    @Test func rangesAreReadOneByOneOrGroupedUpToTheRecordBound() {
        let bound = KafkaFileExport.recordsPerAssignment
        let ranges = [Self.range(0, bound / 2), Self.range(1, 0), Self.range(2, bound / 2), Self.range(3, 1),
                      Self.range(4, bound * 3), Self.range(5, 7)]
        #expect(KafkaFileExport.assignments(ranges, together: false).map { $0.map(\.partition) } == [[0], [2], [3], [4], [5]])
        #expect(KafkaFileExport.assignments(ranges, together: true).map { $0.map(\.partition) } == [[0, 2], [3], [4], [5]])
        #expect(KafkaFileExport.assignments([], together: true).isEmpty)
    }
}
