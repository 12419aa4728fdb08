package dev.sluice.config.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.model.TracingConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code tracing}: off unless configured; the endpoint, ratio and timeout are checked at load. */
class TracingConfigTest {

    private static String config(String tracing) {
        return """
                listeners: [ { name: a, bind: "127.0.0.1:0" } ]
                %s
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c, backends: [ { address: "127.0.0.1:9000" } ] } ]
                """.formatted(tracing);
    }

    @Test
    void offByDefaultAndDefaultsWhenOn() throws Exception {
        assertNull(YamlConfigLoader.load(config(""), "t").config().tracing());
        TracingConfig t = YamlConfigLoader.load(config("tracing: { endpoint: \"http://otel:4318/v1/traces\" }"), "t").config().tracing();
        assertEquals("http://otel:4318/v1/traces", t.endpoint());
        assertEquals(1.0, t.samplingRatio());
        assertEquals("sluice", t.serviceName());
        assertEquals(Duration.ofSeconds(10), t.exportTimeout());
    }

    @Test
    void mistakesAreNamedWithTheirLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> YamlConfigLoader.load(
                config("tracing: { endpoint: \"otel:4318\", samplingRatio: 1.5, exportTimeout: 0s }"), "t"));
        assertEquals(List.of(
                "tracing.samplingRatio (line 2): 1.5 (expected: <= 1)",
                "tracing.endpoint (line 2): \"otel:4318\" (expected: http:// or https:// followed by a host)",
                "tracing.exportTimeout (line 2): 0s (expected: a duration above zero)"),
                e.problems().stream().map(ConfigProblem::toString).toList());
    }
}
