#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* rd_kafka_producev is variadic and so not callable from Swift: one typed wrapper for the fields
 * Roost sets. The payload is copied (RD_KAFKA_MSG_F_COPY); a full producer queue is
 * RD_KAFKA_RESP_ERR__QUEUE_FULL (the caller serves delivery reports and retries); `headers` is owned by librdkafka only on success.
 * `topic` is a handle from rd_kafka_topic_new, so no name lookup per record; `timestamp_ms` 0 means "now"; `partition` RD_KAFKA_PARTITION_UA lets the partitioner choose. */
static inline rd_kafka_resp_err_t roost_kafka_produce(rd_kafka_t *rk, rd_kafka_topic_t *topic, int32_t partition,
                                                      const void *key, size_t key_len,
                                                      const void *value, size_t value_len,
                                                      rd_kafka_headers_t *headers, int64_t timestamp_ms,
                                                      void *msg_opaque) {
    return rd_kafka_producev(rk,
                             RD_KAFKA_V_RKT(topic),
                             RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_KEY(key, key_len),
                             RD_KAFKA_V_VALUE((void *)value, value_len),
                             RD_KAFKA_V_HEADERS(headers),
                             RD_KAFKA_V_TIMESTAMP(timestamp_ms),
                             RD_KAFKA_V_OPAQUE(msg_opaque),
                             RD_KAFKA_V_END);
}
