package dev.agentsaga.spi;

import java.util.Objects;

/**
 * An engine's claim on a saga: the owner and the epoch it claimed it at. Every journal write of a
 * running saga is conditioned on its lease, so an engine that lost the saga (paused past its lease
 * while another took it over) cannot record anything.
 */
public record Lease(String sagaId, String owner, long epoch) {

    public Lease {
        Objects.requireNonNull(sagaId, "sagaId must not be null");
        Objects.requireNonNull(owner, "owner must not be null");
    }
}
