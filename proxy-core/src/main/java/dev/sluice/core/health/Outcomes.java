package dev.sluice.core.health;

/** What a node recorded between two refreshes; {@code slow} responses took longer than the breaker's SLO. */
public record Outcomes(long responses, long failures, long slow, long latencyNanos) {
}
