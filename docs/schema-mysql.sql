-- agent-saga schema for MariaDB (10.6 or later) and MySQL (8.0 or later), for applications that manage their
-- schema with Flyway or by hand. The same tables as the Liquibase changelog in agent-saga-core
-- (db/changelog/agent-saga/), with the default table prefix agent_saga_. To use another prefix, replace
-- agent_saga_ everywhere and set the same prefix on the engine. A test applies this file and compares it
-- with the changelog's result.
--
-- Payloads are LONGTEXT (TEXT holds only 64 KiB); timestamps are DATETIME(6) in UTC, written and read by
-- the store without a time zone; the tables are utf8mb4 with a binary collation, so that ids and names
-- compare as on PostgreSQL (saga ids 'A-1' and 'a-1' are two sagas).

CREATE TABLE agent_saga_instance (
    id               VARCHAR(200) NOT NULL,
    workflow         VARCHAR(200) NOT NULL,
    workflow_version VARCHAR(100) NOT NULL,
    status           VARCHAR(32)  NOT NULL,
    input            LONGTEXT,
    output           LONGTEXT,
    error            LONGTEXT,
    error_step       INT,
    cancel_requested BOOLEAN      NOT NULL DEFAULT FALSE,
    owner            VARCHAR(200),
    lease_epoch      BIGINT       NOT NULL DEFAULT 0,
    lease_expires_at DATETIME(6),
    wake_at          DATETIME(6),
    created_at       DATETIME(6)  NOT NULL,
    updated_at       DATETIME(6)  NOT NULL,
    replayed_tokens  BIGINT       NOT NULL DEFAULT 0,
    saved_tokens     BIGINT       NOT NULL DEFAULT 0,
    recovered_from   LONGTEXT,
    recovery_mark    BIGINT,
    erased_at        DATETIME(6),
    parent_id        VARCHAR(200),
    parent_step      INT,
    forked_from      VARCHAR(200),
    fork_step        INT,
    fork_overrides   LONGTEXT,
    queue            VARCHAR(200),
    partition_key    VARCHAR(200),
    priority         INT,
    CONSTRAINT agent_saga_instance_pk PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX agent_saga_instance_status_ix ON agent_saga_instance (status, workflow);
CREATE INDEX agent_saga_instance_created_ix ON agent_saga_instance (created_at);
CREATE INDEX agent_saga_instance_wake_ix ON agent_saga_instance (status, wake_at);
CREATE INDEX agent_saga_instance_status_created_ix ON agent_saga_instance (status, created_at, id);
CREATE INDEX agent_saga_instance_parent_ix ON agent_saga_instance (parent_id);
CREATE INDEX agent_saga_instance_queue_ix ON agent_saga_instance (queue, status);

CREATE TABLE agent_saga_step (
    saga_id               VARCHAR(200) NOT NULL,
    seq                   INT          NOT NULL,
    name                  VARCHAR(200) NOT NULL,
    kind                  VARCHAR(16)  NOT NULL,
    reversibility         VARCHAR(16),
    status                VARCHAR(32)  NOT NULL,
    input                 LONGTEXT,
    output                LONGTEXT,
    error                 LONGTEXT,
    attempts              INT          NOT NULL DEFAULT 0,
    started_at            DATETIME(6),
    finished_at           DATETIME(6),
    compensation_attempts INT          NOT NULL DEFAULT 0,
    compensation_error    LONGTEXT,
    compensated_at        DATETIME(6),
    resolution            VARCHAR(16),
    note                  LONGTEXT,
    fingerprint           LONGTEXT,
    input_tokens          INT,
    output_tokens         INT,
    CONSTRAINT agent_saga_step_pk PRIMARY KEY (saga_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE agent_saga_signal (
    id           VARCHAR(64)  NOT NULL,
    saga_id      VARCHAR(200) NOT NULL,
    name         VARCHAR(200) NOT NULL,
    payload      LONGTEXT,
    created_at   DATETIME(6)  NOT NULL,
    consumed_seq INT,
    CONSTRAINT agent_saga_signal_pk PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX agent_saga_signal_saga_ix ON agent_saga_signal (saga_id, name);

CREATE TABLE agent_saga_node (
    id         VARCHAR(200) NOT NULL,
    workflows  LONGTEXT     NOT NULL,
    started_at DATETIME(6)  NOT NULL,
    seen_at    DATETIME(6)  NOT NULL,
    CONSTRAINT agent_saga_node_pk PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE agent_saga_lock (
    name      VARCHAR(100) NOT NULL,
    locked_by VARCHAR(200),
    locked_at DATETIME(6),
    CONSTRAINT agent_saga_lock_pk PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO agent_saga_lock (name) VALUES ('retention');

CREATE TABLE agent_saga_schedule (
    name      VARCHAR(150) NOT NULL,
    last_tick DATETIME(6)  NOT NULL,
    fired_by  VARCHAR(200),
    fired_at  DATETIME(6),
    CONSTRAINT agent_saga_schedule_pk PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE agent_saga_rate_window (
    rate_key     VARCHAR(200) NOT NULL,
    window_start DATETIME(6)  NOT NULL,
    requests     INT          NOT NULL,
    tokens       BIGINT       NOT NULL,
    CONSTRAINT agent_saga_rate_window_pk PRIMARY KEY (rate_key, window_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
