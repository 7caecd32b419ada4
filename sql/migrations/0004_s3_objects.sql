-- Objects Roost wrote to S3 (data files and manifests), one row per bucket and key. A retried
-- attempt rewrites the same keys with the same bytes, so its rows replace the earlier attempt's.

CREATE TABLE roost.s3_objects (
    bucket          text NOT NULL,
    key             text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('data', 'manifest')),
    format          text NOT NULL,
    bytes           bigint NOT NULL,
    records         bigint NOT NULL,
    etag            text NOT NULL,
    -- Base64 SHA-256 of the object (multipart: S3's composite form ending in -<parts>).
    checksum_sha256 text NOT NULL,
    -- The attempt that wrote it last; its task instance leads to the run.
    attempt_id      bigint NOT NULL REFERENCES roost.task_attempts ON DELETE CASCADE,
    written_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bucket, key)
);
CREATE INDEX s3_objects_attempt ON roost.s3_objects (attempt_id);
