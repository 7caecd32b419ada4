-- A leaner hot path for the task queue (README.md, "Benchmarks"): per task, a claim and a completion
-- used to write four row versions, eight index entries and check three foreign keys. Now the task's
-- two updates are HOT (no index entries) and no foreign key is checked between claim and completion.

-- 1. Claimable and running tasks get a small table of their own. PostgreSQL 15 makes an update HOT
-- only when no indexed column changes, predicate columns of partial indexes included, and `state`
-- was in the predicate of every partial index of task_instances. A queue row is inserted when its
-- task is queued, leased by the claim and deleted when the try ends for good; a retry or a release
-- makes it claimable again.
CREATE TABLE roost.task_queue (
    -- Checked only when a task is queued, not on the claim or the completion.
    task_instance_id bigint PRIMARY KEY REFERENCES roost.task_instances ON DELETE CASCADE,
    queue            text NOT NULL,
    priority_weight  integer NOT NULL,
    -- When the task may next be claimed; what the claim records as its queue time.
    next_attempt_at  timestamptz NOT NULL,
    -- While the task runs: its worker (roost.workers.id) and until when it holds the task.
    lease_owner      bigint,
    lease_expires_at timestamptz,
    CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL))
);
-- The claim: one queue's claimable rows in priority, then availability, order.
CREATE INDEX task_queue_claimable ON roost.task_queue (queue, priority_weight DESC, next_attempt_at)
    WHERE lease_owner IS NULL;
-- The reaper (every lease, a few hundred at most), `roost workers list` (by owner).
CREATE INDEX task_queue_leases ON roost.task_queue (lease_owner, lease_expires_at) WHERE lease_owner IS NOT NULL;

INSERT INTO roost.task_queue (task_instance_id, queue, priority_weight, next_attempt_at, lease_owner, lease_expires_at)
SELECT id, queue, priority_weight, coalesce(next_attempt_at, queued_at, now()),
       CASE WHEN state = 'running' THEN coalesce(lease_owner, 0) END,
       CASE WHEN state = 'running' THEN coalesce(lease_expires_at, now()) END
FROM roost.task_instances WHERE state IN ('queued', 'up_for_retry', 'running');

DROP INDEX roost.task_instances_claimable;
DROP INDEX roost.task_instances_leases;
-- Dropping lease_owner drops its foreign key to roost.workers, checked on every claim.
ALTER TABLE roost.task_instances DROP COLUMN lease_owner, DROP COLUMN lease_expires_at;
-- Tasks waiting for their upstreams, indexed by a column that changes only when a task enters or
-- leaves `scheduled`, so that every other state change stays HOT. Adding it rewrites the table once.
DROP INDEX roost.task_instances_waiting;
ALTER TABLE roost.task_instances ADD COLUMN waiting boolean GENERATED ALWAYS AS (state = 'scheduled') STORED;
CREATE INDEX task_instances_waiting ON roost.task_instances (dag_run_id) WHERE waiting;
-- Room on every page for a row's next two versions: HOT needs them on the same page, and the
-- claim's version is often still visible to some snapshot when the completion comes. In `make
-- bench`, 95% of the task updates were HOT at 35 (PostgreSQL CPU 44-46 us a task), 76% at 50
-- (50 us), under half at 70. The price: the table takes about three times the disk of a packed
-- one. Affects pages written from now on.
ALTER TABLE roost.task_instances SET (fillfactor = 35);

-- 2. The attempts' foreign keys, checked on every claim (a row lock, a WAL record and a query run
-- by a trigger each), go. Integrity is kept without them:
-- - workers rows are never deleted (a stopped or lost worker stays, as history), and a worker only
--   writes its own registered id;
-- - an attempt is inserted in the claim's transaction, for the task instance row that transaction
--   has just updated and still locks, so it cannot name a missing instance;
-- - deleting task instances (by deleting their DAG or run, which cascades) still deletes their
--   attempts, and through those the attempts' logs, offset ranges and S3 objects: the trigger
--   below does what ON DELETE CASCADE did.
ALTER TABLE roost.task_attempts DROP CONSTRAINT task_attempts_worker_id_fkey;
ALTER TABLE roost.task_attempts DROP CONSTRAINT task_attempts_task_instance_id_fkey;
-- No query looks attempts up by worker; every claim paid for an entry in it.
DROP INDEX roost.task_attempts_worker;

CREATE FUNCTION roost.delete_attempts_of_deleted_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM roost.task_attempts a USING deleted d WHERE a.task_instance_id = d.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER task_instances_delete_attempts AFTER DELETE ON roost.task_instances
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION roost.delete_attempts_of_deleted_tasks();
