package dev.sluice.core.balance;

/**
 * What a {@link Picker} may know of the request it places. The request path's context implements
 * it; tests and simulations pass a lambda.
 */
@FunctionalInterface
public interface PickContext {

    /** The 64-bit hash a consistent-hash picker places this request by. */
    long hashKey();

    /** The picker chose a node by {@code rule}; the request path keeps it for {@code X-Sluice-Pick}. */
    default void picked(PickRule rule) {
    }
}
