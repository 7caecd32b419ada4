-- Cheaper lineage rows (docs/pipeline.md, "Benchmark"): recording an object's record ids was a
-- load's floor, each row a foreign-key check on roost.s3_objects and two index entries repeating
-- the bucket and key. Record ids are now keyed by a bigint object id, without a row-level foreign
-- key; roost.s3_object_records keeps its columns as a view, and the lineage views their shape.

-- An object keeps its id when a retry overwrites its row (ON CONFLICT DO UPDATE leaves id alone).
ALTER TABLE roost.s3_objects ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY UNIQUE;

-- One row per record id and object holding it. Integrity without a foreign key:
-- - rows are inserted only by the statement that inserts or overwrites their object's row (and so
--   holds its lock), for that row's id (S3ObjectStore.recordSQL), replacing the object's earlier
--   rows in that statement;
-- - deleting objects (directly, or by deleting their attempts, runs or DAGs) deletes their rows:
--   the triggers below do what ON DELETE CASCADE did, and truncating the objects truncates them
--   (the foreign key refused a plain TRUNCATE).
CREATE TABLE roost.s3_object_record_ids (
    object_id bigint NOT NULL,
    record_id text NOT NULL,
    PRIMARY KEY (object_id, record_id)
);
-- Where a record is (roost.lake_record_locations by record id).
CREATE INDEX s3_object_record_ids_record ON roost.s3_object_record_ids (record_id);

INSERT INTO roost.s3_object_record_ids (object_id, record_id)
SELECT o.id, r.record_id FROM roost.s3_object_records r JOIN roost.s3_objects o USING (bucket, key);

CREATE FUNCTION roost.delete_records_of_deleted_objects() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM roost.s3_object_record_ids r USING deleted d WHERE r.object_id = d.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER s3_objects_delete_records AFTER DELETE ON roost.s3_objects
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION roost.delete_records_of_deleted_objects();
CREATE FUNCTION roost.truncate_records_of_objects() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE roost.s3_object_record_ids;
    RETURN NULL;
END
$$;
CREATE TRIGGER s3_objects_truncate_records AFTER TRUNCATE ON roost.s3_objects
    FOR EACH STATEMENT EXECUTE FUNCTION roost.truncate_records_of_objects();

DROP VIEW roost.lake_record_locations;
DROP TABLE roost.s3_object_records;

-- The same columns as the table of 0006, for the queries in docs/pipeline.md.
CREATE VIEW roost.s3_object_records AS
SELECT o.bucket, o.key, r.record_id
FROM roost.s3_object_record_ids r JOIN roost.s3_objects o ON o.id = r.object_id;

-- Where each record id is in the lake, and which run wrote it there (as in 0006).
CREATE VIEW roost.lake_record_locations AS
SELECT rec.record_id, l.bucket, l.key, l.dag_id, l.run_id, l.task_id, l.try_number,
       l.topic, l.partition, l.first_offset, l.last_offset
FROM roost.s3_object_records rec
JOIN roost.lake_object_lineage l ON l.bucket = rec.bucket AND l.key = rec.key;
