package dev.sluice.config.load;

import dev.sluice.config.model.ByteSize;
import dev.sluice.config.model.HostPort;
import dev.sluice.config.model.Rate;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for the scalar forms the configuration uses. Each throws
 * {@link IllegalArgumentException} whose message reads {@code "value" (expected: ...)}.
 */
public final class Values {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})\\s*(B|KiB|MiB|GiB|KB|MB|GB)?");
    private static final Pattern RATE = Pattern.compile("(\\d{1,12})\\s*/\\s*(s|m|h)");
    private static final Pattern HOST_NAME = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,62})?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62})?)*\\.?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9]+)?");

    private Values() {
    }

    /** {@code 250ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1d}; a bare {@code 0} is zero. */
    public static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches() || (m.group(2) == null && Long.parseLong(m.group(1)) != 0)) {
            throw bad(text, "a duration such as 250ms, 30s, 2m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** {@code 512}, {@code 512B}, {@code 16KiB}, {@code 5MiB}, {@code 1GiB}; KB/MB/GB are decimal. */
    public static ByteSize size(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw bad(text, "a size such as 512B, 16KiB, 5MiB or 1GiB");
        }
        long n = Long.parseLong(m.group(1));
        long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "KB" -> 1000L;
            case "MB" -> 1000_000L;
            case "GB" -> 1000_000_000L;
            default -> 1L;
        };
        try {
            return ByteSize.ofBytes(Math.multiplyExact(n, unit));
        } catch (ArithmeticException e) {
            throw bad(text, "a size below 8EiB");
        }
    }

    /** {@code 100/s}, {@code 6000/m}, {@code 10/h}. */
    public static Rate rate(String text) {
        Matcher m = RATE.matcher(text.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw bad(text, "a rate above zero such as 100/s, 6000/m or 10/h");
        }
        Duration per = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(1);
            case "m" -> Duration.ofMinutes(1);
            default -> Duration.ofHours(1);
        };
        return new Rate(Long.parseLong(m.group(1)), per);
    }

    /** {@code host:port}, {@code [v6]:port}; the host is checked for shape only, never resolved. */
    public static HostPort hostPort(String text) {
        String t = text.trim();
        String host;
        String port;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0 || close + 1 >= t.length() || t.charAt(close + 1) != ':') {
                throw bad(text, "[ipv6]:port");
            }
            host = t.substring(1, close);
            port = t.substring(close + 2);
            if (!IPV6.matcher(host).matches()) {
                throw bad(text, "[ipv6]:port");
            }
        } else {
            int colon = t.lastIndexOf(':');
            if (colon <= 0 || t.indexOf(':') != colon) {
                throw bad(text, "host:port");
            }
            host = t.substring(0, colon);
            port = t.substring(colon + 1);
            if (!host.equals("*") && !HOST_NAME.matcher(host).matches()) {
                throw bad(text, "host:port with an IP address or DNS name");
            }
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw bad(text, "host:port with a port 0..65535");
        }
        if (p < 0 || p > 65535) {
            throw bad(text, "host:port with a port 0..65535");
        }
        return new HostPort(host, p);
    }

    static IllegalArgumentException bad(String text, String expected) {
        return new IllegalArgumentException('"' + text + "\" (expected: " + expected + ")");
    }
}
