-- X API ingestion checkpoints: per DAG and source (a search query, or one user's timeline), the
-- newest tweet id delivered to Kafka, so the next run asks only for what is newer (`since_id`).
-- A checkpoint only moves forward, and only for a try that still holds its task (fencing).

CREATE TABLE roost.twitter_checkpoints (
    dag_id          text NOT NULL REFERENCES roost.dags ON DELETE CASCADE,
    -- `search:<query>`, `archive:<query>` or `user:<username>`.
    source          text NOT NULL,
    newest_tweet_id bigint NOT NULL CHECK (newest_tweet_id > 0),
    -- The try that last moved it, for `roost tasks` and audits.
    attempt_id      bigint REFERENCES roost.task_attempts ON DELETE SET NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dag_id, source)
);
