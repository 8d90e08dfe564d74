-- The in-app fake providers (TravelProviders): flight_booking, hotel_booking, card_charge, email_outbox.
-- Each record is unique by the provider and the idempotency key it was made with.
CREATE TABLE IF NOT EXISTS provider_record (
    id              VARCHAR(40)  PRIMARY KEY,
    provider        VARCHAR(40)  NOT NULL,
    idempotency_key VARCHAR(200) NOT NULL,
    item            VARCHAR(200) NOT NULL,
    party           VARCHAR(200) NOT NULL,
    amount_eur      INTEGER      NOT NULL,
    status          VARCHAR(20)  NOT NULL,
    created_at      TIMESTAMP    DEFAULT CURRENT_TIMESTAMP NOT NULL,
    CONSTRAINT provider_record_key UNIQUE (provider, idempotency_key)
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
