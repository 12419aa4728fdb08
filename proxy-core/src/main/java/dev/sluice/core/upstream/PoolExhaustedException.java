package dev.sluice.core.upstream;

/** The node already has {@code pool.maxConnectionsPerNode} connections open. Carries no stack trace. */
public final class PoolExhaustedException extends Exception {

    public PoolExhaustedException(String message) {
        super(message, null, false, false);
    }
}
