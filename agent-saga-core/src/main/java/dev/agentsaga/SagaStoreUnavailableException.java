package dev.agentsaga;

import org.jspecify.annotations.Nullable;

/**
 * The database could not be reached, or kept failing in a way that passes (a lost connection, a restart,
 * too many connections), for longer than the store retries. Nothing about the saga or the write is
 * wrong; the same call can succeed once the database is back.
 */
public class SagaStoreUnavailableException extends SagaStoreException {

    public SagaStoreUnavailableException(String message, @Nullable Throwable cause) {
        super(message, null, null, cause);
    }
}
