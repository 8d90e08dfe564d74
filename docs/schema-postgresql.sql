-- agent-saga schema for PostgreSQL, for applications that manage their schema with Flyway or by hand.
-- The same tables as the Liquibase changelog in agent-saga-core (db/changelog/agent-saga/), with the
-- default table prefix agent_saga_. To use another prefix, replace agent_saga_ everywhere and set the
-- same prefix on the engine. A test applies this file and compares it with the changelog's result.

CREATE TABLE agent_saga_instance (
    id               VARCHAR(200)             NOT NULL,
    workflow         VARCHAR(200)             NOT NULL,
    workflow_version VARCHAR(100)             NOT NULL,
    status           VARCHAR(32)              NOT NULL,
    input            TEXT,
    output           TEXT,
    error            TEXT,
    error_step       INTEGER,
    cancel_requested BOOLEAN                  NOT NULL DEFAULT FALSE,
    owner            VARCHAR(200),
    lease_epoch      BIGINT                   NOT NULL DEFAULT 0,
    lease_expires_at TIMESTAMP WITH TIME ZONE,
    wake_at          TIMESTAMP WITH TIME ZONE,
    created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    replayed_tokens  BIGINT                   NOT NULL DEFAULT 0,
    saved_tokens     BIGINT                   NOT NULL DEFAULT 0,
    recovered_from   TEXT,
    recovery_mark    BIGINT,
    erased_at        TIMESTAMP WITH TIME ZONE,
    parent_id        VARCHAR(200),
    parent_step      INT,
    forked_from      VARCHAR(200),
    fork_step        INT,
    fork_overrides   TEXT,
    queue            VARCHAR(200),
    partition_key    VARCHAR(200),
    priority         INT,
    CONSTRAINT agent_saga_instance_pk PRIMARY KEY (id)
);
CREATE INDEX agent_saga_instance_status_ix ON agent_saga_instance (status, workflow);
CREATE INDEX agent_saga_instance_created_ix ON agent_saga_instance (created_at);
CREATE INDEX agent_saga_instance_wake_ix ON agent_saga_instance (status, wake_at);
CREATE INDEX agent_saga_instance_status_created_ix ON agent_saga_instance (status, created_at, id);
CREATE INDEX agent_saga_instance_parent_ix ON agent_saga_instance (parent_id);
CREATE INDEX agent_saga_instance_queue_ix ON agent_saga_instance (queue, status);
-- the claim's runnable sagas in update order; the predicate is the status condition of the claim
CREATE INDEX agent_saga_instance_runnable_ix ON agent_saga_instance (updated_at)
    WHERE status IN ('PENDING', 'RUNNING', 'COMPENSATING');
-- how often each (status, workflow, version) occurs, for the claim's row estimate
CREATE STATISTICS agent_saga_instance_claim_stats (mcv) ON status, workflow, workflow_version FROM agent_saga_instance;

CREATE TABLE agent_saga_step (
    saga_id               VARCHAR(200)             NOT NULL,
    seq                   INTEGER                  NOT NULL,
    name                  VARCHAR(200)             NOT NULL,
    kind                  VARCHAR(16)              NOT NULL,
    reversibility         VARCHAR(16),
    status                VARCHAR(32)              NOT NULL,
    input                 TEXT,
    output                TEXT,
    error                 TEXT,
    attempts              INTEGER                  NOT NULL DEFAULT 0,
    started_at            TIMESTAMP WITH TIME ZONE,
    finished_at           TIMESTAMP WITH TIME ZONE,
    compensation_attempts INTEGER                  NOT NULL DEFAULT 0,
    compensation_error    TEXT,
    compensated_at        TIMESTAMP WITH TIME ZONE,
    resolution            VARCHAR(16),
    note                  TEXT,
    fingerprint           TEXT,
    input_tokens          INTEGER,
    output_tokens         INTEGER,
    CONSTRAINT agent_saga_step_pk PRIMARY KEY (saga_id, seq)
);

CREATE TABLE agent_saga_signal (
    id           VARCHAR(64)              NOT NULL,
    saga_id      VARCHAR(200)             NOT NULL,
    name         VARCHAR(200)             NOT NULL,
    payload      TEXT,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    consumed_seq INTEGER,
    CONSTRAINT agent_saga_signal_pk PRIMARY KEY (id)
);
CREATE INDEX agent_saga_signal_saga_ix ON agent_saga_signal (saga_id, name);

CREATE TABLE agent_saga_node (
    id         VARCHAR(200)             NOT NULL,
    workflows  TEXT                     NOT NULL,
    started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    seen_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT agent_saga_node_pk PRIMARY KEY (id)
);

CREATE TABLE agent_saga_lock (
    name      VARCHAR(100)             NOT NULL,
    locked_by VARCHAR(200),
    locked_at TIMESTAMP WITH TIME ZONE,
    CONSTRAINT agent_saga_lock_pk PRIMARY KEY (name)
);
INSERT INTO agent_saga_lock (name) VALUES ('retention');

CREATE TABLE agent_saga_schedule (
    name      VARCHAR(150)             NOT NULL,
    last_tick TIMESTAMP WITH TIME ZONE NOT NULL,
    fired_by  VARCHAR(200),
    fired_at  TIMESTAMP WITH TIME ZONE,
    CONSTRAINT agent_saga_schedule_pk PRIMARY KEY (name)
);

CREATE TABLE agent_saga_rate_window (
    rate_key     VARCHAR(200)             NOT NULL,
    window_start TIMESTAMP WITH TIME ZONE NOT NULL,
    requests     INTEGER                  NOT NULL,
    tokens       BIGINT                   NOT NULL,
    CONSTRAINT agent_saga_rate_window_pk PRIMARY KEY (rate_key, window_start)
);
