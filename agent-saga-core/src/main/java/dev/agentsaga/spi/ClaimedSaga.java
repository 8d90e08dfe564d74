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
 */
public record ClaimedSaga(InstanceRecord saga, boolean recovered, @Nullable String takenFrom) {
}
