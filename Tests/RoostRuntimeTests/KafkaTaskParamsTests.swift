import RoostCore
import RoostPostgres
import RoostRuntime
import RoostStore
import Testing

/// Bad `kafka_produce` / `kafka_consume` params are rejected when DAGs load, naming the field.
@Suite struct KafkaTaskParamsTests {
    static let nowhere = PostgresPool(settings: PostgresSettings(conninfo: "host=/nonexistent"), size: 1)
    let store = KafkaOffsetStore(pool: nowhere)
    let kafka = try! ConfigLoader(environment: [:]).load(path: "/nonexistent/roost.yaml", required: false).kafka

    @Test(arguments: [
        (JSONValue.object(["path": .string("x")]), "params.topic must be a string"),
        (.object(["topic": .string("t")]), "params.path must be a string"),
        (.object(["topic": .string("t"), "path": .string("x"), "compression": .string("brotli")]),
         "params.compression must be one of gzip, lz4, none, snappy, zstd"),
        (.object(["topic": .string("t"), "path": .string("x"), "batch_size": .int(0)]), "params.batch_size must be a positive integer"),
        (.object(["topic": .string("t"), "path": .string("x"), "key_field": .int(1)]), "params.key_field must be a string"),
        (.object(["topic": .string("t"), "path": .string("x"), "keyfield": .string("id")]),
         "params.keyfield is not a parameter of this task type (known: batch_size, compression, key_field, path, topic)"),
    ])
    func produceParams(_ params: JSONValue, _ message: String) throws {
        let error = #expect(throws: TaskParamError.self) { try KafkaProduceTask(kafka: kafka, store: store).validate(params: params) }
        #expect(error?.description == message)
    }

    @Test func consumeParams() throws {
        let task = KafkaConsumeTask(kafka: kafka, store: store, deadLetters: DeadLetterStore(pool: Self.nowhere))
        try task.validate(params: .object(["topic": .string("t"), "path": .string("out/{run_id}.jsonl"), "group": .string("g")]))
        let error = #expect(throws: TaskParamError.self) {
            try task.validate(params: .object(["topic": .string("t"), "path": .string("x"), "group": .string("")]))
        }
        #expect(error?.description == "params.group must be a non-empty string")
    }
}
