-- Kafka offset ranges. A kafka_consume task's ranges are decided once, at its first attempt, and
-- kept here, so retries and re-runs read exactly the same records; PostgreSQL is the source of
-- truth and the consumer group's committed offsets follow it (state planned → consumed →
-- committed). A kafka_produce attempt records what it wrote per partition (state produced).
CREATE TABLE roost.kafka_offset_ranges (
    id               bigserial PRIMARY KEY,
    task_instance_id bigint NOT NULL REFERENCES roost.task_instances ON DELETE CASCADE,
    -- The attempt that planned the range (consume) or wrote it (produce).
    attempt_id       bigint NOT NULL REFERENCES roost.task_attempts ON DELETE CASCADE,
    kind             text NOT NULL CHECK (kind IN ('consume', 'produce')),
    topic            text NOT NULL,
    consumer_group   text,
    partition        integer NOT NULL CHECK (partition >= 0),
    first_offset     bigint NOT NULL,
    -- Inclusive; first_offset - 1 for an empty range.
    last_offset      bigint NOT NULL,
    record_count     bigint NOT NULL CHECK (record_count >= 0),
    state            text NOT NULL CHECK (state IN ('planned', 'consumed', 'committed', 'produced')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'consume') = (consumer_group IS NOT NULL)),
    CHECK (last_offset >= first_offset - 1)
);
CREATE UNIQUE INDEX kafka_offset_ranges_plan ON roost.kafka_offset_ranges (task_instance_id, topic, partition)
    WHERE kind = 'consume';
CREATE INDEX kafka_offset_ranges_group ON roost.kafka_offset_ranges (topic, consumer_group, partition)
    WHERE kind = 'consume';
CREATE INDEX kafka_offset_ranges_attempt ON roost.kafka_offset_ranges (attempt_id);

CREATE VIEW roost.kafka_offset_history AS
SELECT r.dag_id, r.run_id, ti.task_id, a.try_number, k.kind, k.topic, k.consumer_group, k.partition,
       k.first_offset, k.last_offset, k.record_count, k.state, k.created_at, k.updated_at
FROM roost.kafka_offset_ranges k
JOIN roost.task_attempts a ON a.id = k.attempt_id
JOIN roost.task_instances ti ON ti.id = k.task_instance_id
JOIN roost.dag_runs r ON r.id = ti.dag_run_id;
