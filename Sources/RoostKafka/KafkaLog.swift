import CKafka
import Logging

/// Routes librdkafka's log lines to swift-log under `roost.kafka.librdkafka`, with the facility as
/// metadata. Syslog levels map to swift-log levels; librdkafka calls this from its own threads.
enum KafkaLog {
    static let logger = Logger(label: "roost.kafka.librdkafka")

    static func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, message in
            guard let message else { return }
            let swiftLevel: Logger.Level = switch level {
            case ...2: .critical
            case 3: .error
            case 4: .warning
            case 5: .notice
            case 6: .info
            default: .debug
            }
            KafkaLog.logger.log(level: swiftLevel, "\(String(cString: message))", metadata: [
                "facility": "\(facility.map { String(cString: $0) } ?? "")",
                "client": "\(rk.map { String(cString: rd_kafka_name($0)) } ?? "")",
            ])
        }
    }
}
