import RoostCore
import RoostPostgres
import RoostRuntime
import RoostStore

extension TaskRegistry {
    /// Every task type the `roost` binary runs. `pool` is where the Kafka tasks keep their offset
    /// ranges; it connects only when a task runs, so commands that only validate DAGs never do.
    static func roost(_ config: RoostConfig, pool: PostgresPool) -> TaskRegistry {
        let offsets = KafkaOffsetStore(pool: pool)
        return builtIn.adding([KafkaProduceTask(kafka: config.kafka, store: offsets),
                               KafkaConsumeTask(kafka: config.kafka, store: offsets)])
    }
}
