import CKafka

/// An error from librdkafka or from Roost's use of it. `message` carries librdkafka's own reason
/// (e.g. `Broker: Message size too large`) after Roost's context.
public struct KafkaError: Error, CustomStringConvertible, Sendable, Equatable {
    /// librdkafka's error code (`rd_kafka_resp_err_t`), or nil for errors Roost itself raises.
    public let code: Int32?
    public let message: String

    public init(_ message: String, code: Int32? = nil) {
        self.message = message
        self.code = code
    }

    /// `context: librdkafka's reason for code`.
    init(_ context: String, _ code: rd_kafka_resp_err_t) {
        self.init("\(context): \(KafkaError.reason(code))", code: code.rawValue)
    }

    /// Takes ownership of an `rd_kafka_error_t` and destroys it.
    init(_ context: String, taking error: OpaquePointer) {
        defer { rd_kafka_error_destroy(error) }
        self.init("\(context): \(String(cString: rd_kafka_error_string(error)))", code: rd_kafka_error_code(error).rawValue)
    }

    static func reason(_ code: rd_kafka_resp_err_t) -> String { String(cString: rd_kafka_err2str(code)) }

    /// Calls `body` with a buffer for librdkafka's `errstr` arguments and returns what it wrote.
    static func withErrorBuffer<T>(_ body: (UnsafeMutablePointer<CChar>, Int) -> T) -> (T, String) {
        var buffer = [CChar](repeating: 0, count: 512)
        let result = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (result, text)
    }

    public var description: String { message }

    /// Whether this is librdkafka's code `code`.
    public func `is`(_ code: rd_kafka_resp_err_t) -> Bool { self.code == code.rawValue }
}
