package dev.agentsaga.spi;

/**
 * A saga an engine claimed.
 *
 * @param saga the saga as it is after the claim
 * @param recovered whether it was RUNNING or COMPENSATING before the claim (taken over from an engine
 *        that stopped or crashed), rather than PENDING or WAITING
 */
public record ClaimedSaga(InstanceRecord saga, boolean recovered) {
}
