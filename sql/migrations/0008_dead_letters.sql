-- Refused records a task sent to a dead-letter topic, one row per source record (topic,
-- partition, offset), so that a retried refine, which reads the same offset ranges and refuses the
-- same records, sends only those no earlier attempt has sent. A row is claimed (sent_at NULL)
-- before the send and marked sent once Kafka acknowledged it, both only by the task's running
-- attempt.
CREATE TABLE roost.dead_letters (
    dead_letter_topic text NOT NULL,
    source_topic      text NOT NULL,
    source_partition  integer NOT NULL,
    source_offset     bigint NOT NULL,
    reason            text NOT NULL,
    -- The attempt that claimed it, then the one that sent it.
    attempt_id        bigint NOT NULL REFERENCES roost.task_attempts ON DELETE CASCADE,
    sent_at           timestamptz,
    PRIMARY KEY (dead_letter_topic, source_topic, source_partition, source_offset)
);
CREATE INDEX dead_letters_attempt ON roost.dead_letters (attempt_id);
