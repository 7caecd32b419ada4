-- Roost metadata: DAGs, runs, task instances, attempts, workers and task logs.
-- Every table lives in the `roost` schema; users read history through the views at the end.

CREATE TABLE roost.dags (
    dag_id          text PRIMARY KEY,
    description     text NOT NULL DEFAULT '',
    schedule        text,
    is_paused       boolean NOT NULL DEFAULT false,
    -- The definition the scheduler last read, and its SHA-256; every version is kept in dag_versions.
    definition      jsonb NOT NULL,
    definition_hash text NOT NULL,
    fileloc         text NOT NULL DEFAULT '',
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE roost.dag_versions (
    dag_id          text NOT NULL REFERENCES roost.dags ON DELETE CASCADE,
    definition_hash text NOT NULL,
    definition      jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dag_id, definition_hash)
);

CREATE TABLE roost.dag_runs (
    id                  bigserial PRIMARY KEY,
    dag_id              text NOT NULL REFERENCES roost.dags ON DELETE CASCADE,
    run_id              text NOT NULL,
    run_type            text NOT NULL CHECK (run_type IN ('scheduled', 'manual')),
    logical_date        timestamptz NOT NULL,
    data_interval_start timestamptz NOT NULL,
    data_interval_end   timestamptz NOT NULL,
    state               text NOT NULL CHECK (state IN ('queued', 'running', 'success', 'failed')),
    conf                jsonb NOT NULL DEFAULT '{}',
    definition_hash     text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    started_at          timestamptz,
    ended_at            timestamptz,
    UNIQUE (dag_id, run_id),
    -- Two schedulers racing to create the same interval: one insert wins, the other does nothing.
    UNIQUE (dag_id, logical_date),
    FOREIGN KEY (dag_id, definition_hash) REFERENCES roost.dag_versions (dag_id, definition_hash)
);
CREATE INDEX dag_runs_active ON roost.dag_runs (dag_id) WHERE state IN ('queued', 'running');

CREATE TABLE roost.workers (
    id           bigserial PRIMARY KEY,
    hostname     text NOT NULL,
    pid          integer NOT NULL,
    queues       text[] NOT NULL,
    concurrency  integer NOT NULL,
    version      text NOT NULL,
    state        text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'stopping', 'stopped', 'lost')),
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    stopped_at   timestamptz
);
CREATE INDEX workers_live ON roost.workers (heartbeat_at) WHERE state IN ('running', 'stopping');

CREATE TABLE roost.task_instances (
    id                        bigserial PRIMARY KEY,
    dag_run_id                bigint NOT NULL REFERENCES roost.dag_runs ON DELETE CASCADE,
    task_id                   text NOT NULL,
    task_type                 text NOT NULL,
    params                    jsonb NOT NULL DEFAULT '{}',
    upstream                  text[] NOT NULL DEFAULT '{}',
    state                     text NOT NULL CHECK (state IN (
                                  'scheduled', 'queued', 'running', 'success', 'failed',
                                  'up_for_retry', 'upstream_failed')),
    -- Tries started so far; a try released on graceful shutdown is given back.
    try_number                integer NOT NULL DEFAULT 0,
    -- retries + 1 at first; a clear renews it to try_number + retries + 1.
    retries                   integer NOT NULL,
    max_tries                 integer NOT NULL,
    queue                     text NOT NULL,
    priority_weight           integer NOT NULL,
    retry_delay_ms            bigint NOT NULL,
    retry_exponential_backoff boolean NOT NULL,
    max_retry_delay_ms        bigint NOT NULL,
    execution_timeout_ms      bigint,
    -- When a queued or up_for_retry task may next be claimed.
    next_attempt_at           timestamptz,
    queued_at                 timestamptz,
    -- The running attempt: its id is the fencing token every completion and heartbeat must present.
    attempt_id                bigint,
    lease_owner               bigint REFERENCES roost.workers,
    lease_expires_at          timestamptz,
    started_at                timestamptz,
    ended_at                  timestamptz,
    UNIQUE (dag_run_id, task_id)
);
-- The claim query: one queue's claimable rows in priority, then availability, order.
CREATE INDEX task_instances_claimable ON roost.task_instances (queue, priority_weight DESC, next_attempt_at)
    WHERE state IN ('queued', 'up_for_retry');
-- The reaper: running tasks by lease expiry.
CREATE INDEX task_instances_leases ON roost.task_instances (lease_expires_at) WHERE state = 'running';
CREATE INDEX task_instances_waiting ON roost.task_instances (dag_run_id) WHERE state = 'scheduled';

CREATE TABLE roost.task_attempts (
    id               bigserial PRIMARY KEY,
    task_instance_id bigint NOT NULL REFERENCES roost.task_instances ON DELETE CASCADE,
    try_number       integer NOT NULL,
    worker_id        bigint REFERENCES roost.workers,
    hostname         text NOT NULL,
    pid              integer NOT NULL,
    state            text NOT NULL CHECK (state IN (
                         'running', 'success', 'failed', 'timed_out', 'lease_expired', 'released')),
    queued_at        timestamptz,
    started_at       timestamptz NOT NULL,
    ended_at         timestamptz,
    error            text,
    -- Counters a task type reports (records produced, pages fetched, …).
    metrics          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX task_attempts_instance ON roost.task_attempts (task_instance_id, id);
CREATE INDEX task_attempts_worker ON roost.task_attempts (worker_id);

CREATE TABLE roost.task_logs (
    id         bigserial PRIMARY KEY,
    attempt_id bigint NOT NULL REFERENCES roost.task_attempts ON DELETE CASCADE,
    logged_at  timestamptz NOT NULL DEFAULT now(),
    stream     text NOT NULL CHECK (stream IN ('stdout', 'stderr', 'roost')),
    line       text NOT NULL
);
CREATE INDEX task_logs_attempt ON roost.task_logs (attempt_id, id);

-- History, for people and scripts: plain SQL over these views.
CREATE VIEW roost.dag_run_history AS
SELECT r.dag_id, r.run_id, r.run_type, r.logical_date, r.data_interval_start, r.data_interval_end,
       r.state, r.started_at, r.ended_at, r.ended_at - r.started_at AS duration, r.conf, r.definition_hash
FROM roost.dag_runs r;

CREATE VIEW roost.task_attempt_history AS
SELECT r.dag_id, r.run_id, ti.task_id, ti.task_type, a.try_number, a.state,
       a.hostname || ':' || a.pid AS worker, a.worker_id, a.hostname AS host, a.pid,
       a.started_at, a.ended_at, a.ended_at - a.started_at AS duration,
       a.started_at - a.queued_at AS queue_wait, a.error, a.metrics, a.id AS attempt_id
FROM roost.task_attempts a
JOIN roost.task_instances ti ON ti.id = a.task_instance_id
JOIN roost.dag_runs r ON r.id = ti.dag_run_id;
