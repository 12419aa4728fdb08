package dev.sluice.core.health;

/** Circuit breaker states, as the balancers see them. */
public enum Breaker { CLOSED, OPEN, HALF_OPEN }
