package dev.agentsaga.spi;

import org.jspecify.annotations.Nullable;

/**
 * A saga an engine claimed.
 *
 * @param saga the saga as it is after the claim
 * @param recovered whether it was RUNNING or COMPENSATING before the claim (taken over from an engine
 *        that stopped or crashed), rather than PENDING or WAITING
 * @param takenFrom the engine that still held the recovered saga when its lease expired (it crashed, hung or
 *        lost the database), or null when the saga was released, or was not recovered
 * @param unreadable why the saga's payloads could not be read (one is encrypted under a key the store does not
 *        have), or null when they were; when set, the payloads of {@code saga} are null and the engine hands
 *        the saga to an operator rather than run it
 * @param firstRun whether the saga never ran before this claim: it was PENDING (a queued start, a child) and is
 *        no fork, so its journal is empty and the engine need not read it; false when not known
 */
public record ClaimedSaga(InstanceRecord saga, boolean recovered, @Nullable String takenFrom,
        @Nullable String unreadable, boolean firstRun) {

    /** A claimed saga whose payloads were read, not known to run for the first time. */
    public ClaimedSaga(InstanceRecord saga, boolean recovered, @Nullable String takenFrom) {
        this(saga, recovered, takenFrom, null, false);
    }

    /** A claimed saga, not known to run for the first time. */
    public ClaimedSaga(InstanceRecord saga, boolean recovered, @Nullable String takenFrom,
            @Nullable String unreadable) {
        this(saga, recovered, takenFrom, unreadable, false);
    }
}
