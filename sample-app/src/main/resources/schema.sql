-- The in-app fake providers (TravelProviders). Each booking is unique by the idempotency key it was made with.
CREATE TABLE IF NOT EXISTS flight_booking (
    id              VARCHAR(40)  PRIMARY KEY,
    idempotency_key VARCHAR(200) NOT NULL UNIQUE,
    item            VARCHAR(200) NOT NULL,
    party           VARCHAR(200) NOT NULL,
    amount_eur      INTEGER      NOT NULL,
    status          VARCHAR(20)  NOT NULL,
    created_at      TIMESTAMP    DEFAULT CURRENT_TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS hotel_booking (
    id              VARCHAR(40)  PRIMARY KEY,
    idempotency_key VARCHAR(200) NOT NULL UNIQUE,
    item            VARCHAR(200) NOT NULL,
    party           VARCHAR(200) NOT NULL,
    amount_eur      INTEGER      NOT NULL,
    status          VARCHAR(20)  NOT NULL,
    created_at      TIMESTAMP    DEFAULT CURRENT_TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS card_charge (
    id              VARCHAR(40)  PRIMARY KEY,
    idempotency_key VARCHAR(200) NOT NULL UNIQUE,
    item            VARCHAR(200) NOT NULL,
    party           VARCHAR(200) NOT NULL,
    amount_eur      INTEGER      NOT NULL,
    status          VARCHAR(20)  NOT NULL,
    created_at      TIMESTAMP    DEFAULT CURRENT_TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS email_outbox (
    id              VARCHAR(40)  PRIMARY KEY,
    idempotency_key VARCHAR(200) NOT NULL UNIQUE,
    item            VARCHAR(200) NOT NULL,
    party           VARCHAR(200) NOT NULL,
    amount_eur      INTEGER      NOT NULL,
    status          VARCHAR(20)  NOT NULL,
    created_at      TIMESTAMP    DEFAULT CURRENT_TIMESTAMP NOT NULL
);
-- every provider call, so the idempotency of retries and resumes can be checked
CREATE TABLE IF NOT EXISTS provider_call (
    idempotency_key VARCHAR(200) NOT NULL,
    operation       VARCHAR(60)  NOT NULL,
    called_at       TIMESTAMP    DEFAULT CURRENT_TIMESTAMP NOT NULL
);
-- every call of the scripted model
CREATE TABLE IF NOT EXISTS model_call (
    goal      VARCHAR(1000) NOT NULL,
    turn      INTEGER       NOT NULL,
    reply     VARCHAR(60)   NOT NULL,
    called_at TIMESTAMP     DEFAULT CURRENT_TIMESTAMP NOT NULL
);
