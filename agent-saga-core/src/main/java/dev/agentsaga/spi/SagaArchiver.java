package dev.agentsaga.spi;

import java.util.List;

import dev.agentsaga.SagaExport;

/**
 * Receives the finished sagas that retention is about to delete, in the journal export format, before they
 * are deleted: a batch is deleted only when {@link #archive} returned. An archiver that throws keeps the
 * batch in the database (retention logs why and tries again at its next round).
 *
 * <p>The batch is archived inside the transaction that deletes it: if that transaction then fails (the
 * database went away, the node died), the sagas stay and are archived again with the next batch, so an
 * archive can hold a saga twice, never lose one. Write durably before returning.
 */
@FunctionalInterface
public interface SagaArchiver {

    /** Archives the sagas durably, or throws. */
    void archive(List<SagaExport> sagas) throws Exception;
}
