package dev.sluice.config.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.model.RateLimitStore;
import dev.sluice.config.model.RateLimitsConfig;
import dev.sluice.config.model.StoreFailure;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code rateLimits.store} and {@code rateLimits.redis}: the shared store's settings and their checks. */
class SharedStoreConfigTest {

    private static String config(String rateLimits) {
        return """
                listeners: [ { name: a, bind: "127.0.0.1:0" } ]
                rateLimits:
                %s
                routes: [ { match: { pathPrefix: / }, cluster: c } ]
                clusters: [ { name: c, backends: [ { address: "127.0.0.1:9000" } ] } ]
                """.formatted(rateLimits.indent(2).stripTrailing());
    }

    private static RateLimitsConfig load(String rateLimits) throws ConfigException {
        return YamlConfigLoader.load(config(rateLimits), "t").config().rateLimits();
    }

    private static List<String> problems(String rateLimits) {
        ConfigException e = assertThrows(ConfigException.class, () -> YamlConfigLoader.load(config(rateLimits), "t"));
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void localIsTheDefaultAndNeedsNoRedis() throws Exception {
        RateLimitsConfig r = load("perIp: { rate: 10/s, burst: 5 }");
        assertEquals(RateLimitStore.LOCAL, r.store());
        assertNull(r.redis());
    }

    @Test
    void oneUriIsAListOfOneAndTheRestHasDefaults() throws Exception {
        RateLimitsConfig r = load("""
                store: redis
                redis: { uri: "redis://:pw@10.0.0.5:6379/0" }
                """);
        assertEquals(RateLimitStore.REDIS, r.store());
        assertEquals(List.of("redis://:pw@10.0.0.5:6379/0"), r.redis().uri());
        assertEquals(Duration.ofMillis(50), r.redis().timeout());
        assertEquals(StoreFailure.LOCAL, r.redis().onFailure());
        assertEquals("sluice", r.redis().keyPrefix());
    }

    @Test
    void sentinelAndClusterFormsAreAccepted() throws Exception {
        assertEquals(List.of("redis-sentinel://s1:26379,s2:26379/0#mymaster"),
                load("store: redis\nredis: { uri: \"redis-sentinel://s1:26379,s2:26379/0#mymaster\", onFailure: closed }").redis().uri());
        assertEquals(List.of("redis-sentinel://s1:26379#edge"),
                load("store: redis\nredis: { uri: \"redis-sentinel://s1:26379#edge\" }").redis().uri(), "no database: #master at once");
        assertEquals(List.of("rediss://r:6380?timeout=1s"), load("store: redis\nredis: { uri: \"rediss://r:6380?timeout=1s\" }").redis().uri());
        RateLimitsConfig cluster = load("""
                store: redis
                redis:
                  uri: [ "redis://n1:7000", "rediss://n2:7001" ]
                  timeout: 20ms
                  onFailure: open
                  keyPrefix: edge-eu
                """);
        assertEquals(2, cluster.redis().uri().size());
        assertEquals(StoreFailure.OPEN, cluster.redis().onFailure());
    }

    @Test
    void everyMistakeIsNamedWithItsKeyAndLine() {
        assertEquals(List.of("rateLimits.store (line 3): redis without rateLimits.redis (expected: rateLimits.redis.uri)"),
                problems("store: redis"));
        assertEquals(List.of("rateLimits.redis (line 3): set with store: local (expected: store: redis, or no redis section)"),
                problems("redis: { uri: \"redis://r:6379\" }"));
        assertEquals(List.of(
                "rateLimits.redis.onFailure (line 4): \"maybe\" (expected: local, open, closed)",
                "rateLimits.redis.uri (line 4): \"http://r:6379\" (expected: redis://, rediss:// or redis-sentinel:// followed by a host)",
                "rateLimits.redis.timeout (line 4): 0s (expected: a duration above zero)",
                "rateLimits.redis.keyPrefix (line 4): \"a b\" (expected: 1 to 63 characters of [A-Za-z0-9._-])"),
                problems("store: redis\nredis: { uri: \"http://r:6379\", timeout: 0s, onFailure: maybe, keyPrefix: \"a b\" }"));
        assertEquals(List.of("rateLimits.redis.uri[1] (line 5): \"redis-sentinel://s:26379\" (expected: redis:// or rediss://host:port, "
                        + "as every entry of a Redis Cluster list is)"),
                problems("store: redis\nredis:\n  uri: [ \"redis://n1:7000\", \"redis-sentinel://s:26379\" ]"));
        assertEquals(List.of("rateLimits.store (line 3): \"memcached\" (expected: local, redis)"), problems("store: memcached"));
    }
}
