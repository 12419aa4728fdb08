package dev.sluice.config.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.model.HostPort;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValuesTest {

    @Test
    void durations() {
        assertEquals(Duration.ofMillis(250), Values.duration("250ms"));
        assertEquals(Duration.ofSeconds(30), Values.duration("30s"));
        assertEquals(Duration.ofMinutes(2), Values.duration("2m"));
        assertEquals(Duration.ofHours(1), Values.duration("1h"));
        assertEquals(Duration.ZERO, Values.duration("0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "30", "-1s", "1.5s", "10 parsecs", "s"})
    void badDurationsNameTheValueAndTheExpectedForm(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Values.duration(text));
        assertEquals("\"" + text + "\" (expected: a duration such as 250ms, 30s, 2m or 1h)", e.getMessage());
    }

    @Test
    void sizes() {
        assertEquals(16 * 1024, Values.size("16KiB").bytes());
        assertEquals(5L << 20, Values.size("5MiB").bytes());
        assertEquals(1L << 30, Values.size("1GiB").bytes());
        assertEquals(512, Values.size("512").bytes());
        assertEquals(512, Values.size("512B").bytes());
        assertEquals(2_000_000, Values.size("2MB").bytes());
        assertThrows(IllegalArgumentException.class, () -> Values.size("5 mebibytes"));
        assertThrows(IllegalArgumentException.class, () -> Values.size("999999999999999GiB"));
    }

    @Test
    void rates() {
        assertEquals(100.0, Values.rate("100/s").perSecond(), 1e-9);
        assertEquals(100.0, Values.rate("6000/m").perSecond(), 1e-9);
        assertEquals(1.0, Values.rate("3600/h").perSecond(), 1e-9);
        assertEquals("6000/m", Values.rate("6000/m").toString());
        assertThrows(IllegalArgumentException.class, () -> Values.rate("0/s"));
        assertThrows(IllegalArgumentException.class, () -> Values.rate("100"));
        assertThrows(IllegalArgumentException.class, () -> Values.rate("100/fortnight"));
    }

    @Test
    void hostPorts() {
        assertEquals(new HostPort("10.0.0.11", 8080), Values.hostPort("10.0.0.11:8080"));
        assertEquals(new HostPort("orders-3.internal", 8080), Values.hostPort("orders-3.internal:8080"));
        assertEquals(new HostPort("::1", 9901), Values.hostPort("[::1]:9901"));
        assertEquals("[::1]:9901", Values.hostPort("[::1]:9901").toString());
        assertTrue(Values.hostPort("0.0.0.0:8080").isWildcard());
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "host:", ":80", "host:99999", "host:http", "bad_host!:80", "::1:80", "[::1]80"})
    void badHostPorts(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Values.hostPort(text));
        assertTrue(e.getMessage().startsWith("\"" + text + "\" (expected: "), e.getMessage());
    }

    @Test
    void overlappingBinds() {
        HostPort any = Values.hostPort("0.0.0.0:8080");
        assertTrue(any.overlaps(Values.hostPort("127.0.0.1:8080")));
        assertTrue(Values.hostPort("127.0.0.1:8080").overlaps(Values.hostPort("127.0.0.1:8080")));
        assertEquals(false, Values.hostPort("127.0.0.1:8080").overlaps(Values.hostPort("127.0.0.1:8081")));
        assertEquals(false, Values.hostPort("127.0.0.1:8080").overlaps(Values.hostPort("127.0.0.2:8080")));
        assertEquals(false, Values.hostPort("127.0.0.1:0").overlaps(Values.hostPort("127.0.0.1:0")));
    }
}
