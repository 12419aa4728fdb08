package dev.sluice.config.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/** A rate such as {@code 100/s}, {@code 6000/m} or {@code 10/h}: {@code count} events per {@code per}. */
public record Rate(long count, Duration per) {

    public Rate {
        requireNonNull(per, "per");
        if (count <= 0) {
            throw new IllegalArgumentException("count: " + count + " (expected: > 0)");
        }
        if (per.isZero() || per.isNegative()) {
            throw new IllegalArgumentException("per: " + per + " (expected: > 0)");
        }
    }

    public double perSecond() {
        return count * 1e9 / per.toNanos();
    }

    @Override
    public String toString() {
        long seconds = per.getSeconds();
        String unit = seconds == 3600 ? "h" : seconds == 60 ? "m" : seconds == 1 ? "s" : per.toString();
        return count + "/" + unit;
    }
}
