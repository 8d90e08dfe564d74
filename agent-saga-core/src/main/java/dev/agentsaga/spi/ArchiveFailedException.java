package dev.agentsaga.spi;

import dev.agentsaga.SagaStoreException;

/** The archiver refused a batch of retention, so the batch was not deleted. */
public class ArchiveFailedException extends SagaStoreException {

    public ArchiveFailedException(int sagas, Throwable cause) {
        super("Archiving " + sagas + " finished sagas failed, so they were not deleted (retention tries again at its "
                + "next round): " + cause, null, null, cause);
    }
}
