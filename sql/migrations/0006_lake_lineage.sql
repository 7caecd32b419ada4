-- Lineage of the lake: which object holds a record (s3_load with params.record_id_field, e.g. the
-- pipeline's tweet_id) and which run, attempt and Kafka offset range wrote an object.

-- One row per record id and object holding it. An object's content is fixed by its key (keys
-- come from the input), so a retry rewrites the same rows; a record id under two keys of one
-- prefix is a duplicate in the lake.
CREATE TABLE roost.s3_object_records (
    bucket    text NOT NULL,
    key       text NOT NULL,
    record_id text NOT NULL,
    PRIMARY KEY (bucket, key, record_id),
    FOREIGN KEY (bucket, key) REFERENCES roost.s3_objects ON DELETE CASCADE
);
CREATE INDEX s3_object_records_record ON roost.s3_object_records (record_id);

-- Each data object with the run and attempt that wrote it and, when its name follows the
-- refined-tweet convention `<topic>-<partition>-<first offset, 12 digits>-<line, 10 digits>`, the
-- Kafka range it came from (the same run's consume range starting at that offset).
CREATE VIEW roost.lake_object_lineage AS
SELECT o.bucket, o.key, o.records, o.bytes, o.checksum_sha256, o.written_at,
       r.dag_id, r.run_id, ti.task_id, a.try_number, o.attempt_id,
       k.topic, k.partition, k.first_offset, k.last_offset
FROM roost.s3_objects o
JOIN roost.task_attempts a ON a.id = o.attempt_id
JOIN roost.task_instances ti ON ti.id = a.task_instance_id
JOIN roost.dag_runs r ON r.id = ti.dag_run_id
LEFT JOIN LATERAL (
    SELECT m[1] AS topic, m[2]::integer AS partition, m[3]::bigint AS first_offset
    FROM regexp_match(o.key, '([^/]+)-([0-9]+)-([0-9]{12})-[0-9]{10}\.[a-z]+\.gz$') AS m
) source ON true
LEFT JOIN roost.kafka_offset_ranges k
       ON k.kind = 'consume' AND k.topic = source.topic AND k.partition = source.partition
      AND k.first_offset = source.first_offset
      AND k.task_instance_id IN (SELECT id FROM roost.task_instances WHERE dag_run_id = r.id)
WHERE o.kind = 'data';

-- Where each record id is in the lake, and which run wrote it there.
CREATE VIEW roost.lake_record_locations AS
SELECT rec.record_id, l.bucket, l.key, l.dag_id, l.run_id, l.task_id, l.try_number,
       l.topic, l.partition, l.first_offset, l.last_offset
FROM roost.s3_object_records rec
JOIN roost.lake_object_lineage l ON l.bucket = rec.bucket AND l.key = rec.key;
