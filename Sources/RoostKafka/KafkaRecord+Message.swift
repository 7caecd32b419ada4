import CKafka

extension KafkaRecord {
    /// Copies a consumed librdkafka message (the caller still owns and destroys it). `topic`, when
    /// the caller knows it, saves looking the name up for each record.
    init(copying message: UnsafeMutablePointer<rd_kafka_message_t>, topic: String? = nil) {
        let m = message.pointee
        var headers: [KafkaHeader] = []
        var list: OpaquePointer?
        if rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            var index = 0
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                headers.append(KafkaHeader(key: name.map { String(cString: $0) } ?? "",
                                           value: value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }))
                index += 1
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        self.init(topic: topic ?? m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "",
                  partition: m.partition, offset: m.offset,
                  key: m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) },
                  value: m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) },
                  headers: headers, timestampMilliseconds: timestamp >= 0 ? timestamp : nil)
    }
}
