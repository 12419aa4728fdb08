package dev.sluice.config.validate;

import dev.sluice.config.ConfigProblem;
import dev.sluice.config.load.SourceMap;
import dev.sluice.config.model.BalancerKind;
import dev.sluice.config.model.ClusterConfig;
import dev.sluice.config.model.HostPort;
import dev.sluice.config.model.KeySource;
import dev.sluice.config.model.ListenerConfig;
import dev.sluice.config.model.PerPartitionConfig;
import dev.sluice.config.model.ProxyConfig;
import dev.sluice.config.model.RateLimitStore;
import dev.sluice.config.model.RateLimitsConfig;
import dev.sluice.config.model.RedisConfig;
import dev.sluice.config.model.RouteConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Cross-field rules that no single record can check on its own. Every rule runs; the result
 * lists every problem with its key path and line, in file order of the checks.
 */
public final class ConfigValidator {

    /** The characters allowed in partition and hash keys, and in override names. */
    public static final Pattern KEY_CHARS = Pattern.compile("[A-Za-z0-9._:-]+");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern REDIS_URI = Pattern.compile("(redis|rediss|redis-sentinel)://[^\\s/?#]+([/?#]\\S*)?");
    private static final Pattern CLUSTER_URI = Pattern.compile("(redis|rediss)://[^\\s/?#]+([/?#]\\S*)?");
    private static final Pattern OTLP_URL = Pattern.compile("https?://[^\\s/?#]+(/\\S*)?");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private ConfigValidator() {
    }

    public static List<ConfigProblem> validate(ProxyConfig config, SourceMap lines) {
        List<ConfigProblem> out = new ArrayList<>();
        Checker c = new Checker(lines, out);

        if (config.listeners().isEmpty()) {
            c.add("listeners", "no listener (expected: at least one)");
        }
        Map<String, Integer> listenerNames = new HashMap<>();
        for (int i = 0; i < config.listeners().size(); i++) {
            ListenerConfig l = config.listeners().get(i);
            String path = "listeners[" + i + "]";
            c.name(path + ".name", l.name(), listenerNames);
            for (int j = 0; j < i; j++) {
                if (config.listeners().get(j).bind().overlaps(l.bind())) {
                    c.add(path + ".bind", l.bind() + " (expected: an address no other listener binds; listeners[" + j + "] has it)");
                }
            }
            if (config.admin().bind().overlaps(l.bind())) {
                c.add("admin.bind", config.admin().bind() + " (expected: an address apart from public listener "
                        + l.name() + " at " + l.bind() + ")");
            }
            positive(c, path + ".requestTimeout", l.requestTimeout());
            positive(c, path + ".headerTimeout", l.headerTimeout());
            positive(c, path + ".idleTimeout", l.idleTimeout());
        }
        positive(c, "server.drainTimeout", config.server().drainTimeout());
        for (int i = 0; i < config.server().trustedProxies().size(); i++) {
            String cidr = config.server().trustedProxies().get(i);
            if (!Cidr.isValid(cidr)) {
                c.add("server.trustedProxies[" + i + "]", "\"" + cidr + "\" (expected: an IPv4 or IPv6 CIDR such as 10.0.0.0/8)");
            }
        }

        if (config.rateLimits().perPartition() != null) {
            PerPartitionConfig p = config.rateLimits().perPartition();
            c.keySource("rateLimits.perPartition.key", p.key());
            for (String name : p.overrides().keySet()) {
                if (name.length() > p.maxKeyLength() || !KEY_CHARS.matcher(name).matches()) {
                    c.add("rateLimits.perPartition.overrides." + name,
                            "\"" + name + "\" (expected: at most maxKeyLength characters of [A-Za-z0-9._:-])");
                }
            }
        }

        redis(c, config.rateLimits(), lines);
        if (config.tracing() != null) {
            if (!OTLP_URL.matcher(config.tracing().endpoint()).matches()) {
                c.add("tracing.endpoint", "\"" + config.tracing().endpoint() + "\" (expected: http:// or https:// followed by a host)");
            }
            positive(c, "tracing.exportTimeout", config.tracing().exportTimeout());
        }

        Set<String> clusterNames = new HashSet<>();
        Map<String, Integer> seenClusters = new HashMap<>();
        for (int i = 0; i < config.clusters().size(); i++) {
            ClusterConfig cl = config.clusters().get(i);
            String path = "clusters[" + i + "]";
            c.name(path + ".name", cl.name(), seenClusters);
            clusterNames.add(cl.name());
            if (cl.hash().key() != null) {
                c.keySource(path + ".hash.key", cl.hash().key());
            }
            double factor = cl.hash().balanceFactor();
            if (factor > 0 && factor < 1) {
                c.add(path + ".hash.balanceFactor", factor + " (expected: 0 for plain hashing, or >= 1)");
            }
            if (cl.balancer() != BalancerKind.CONSISTENT_HASH && lines.isPresent(path + ".hash")) {
                c.add(path + ".hash", "set on a " + cl.balancer().yamlName()
                        + " cluster (expected: only with balancer: consistent-hash)");
            }
            if (cl.balancer() != BalancerKind.LEAST_CONNECTIONS && lines.isPresent(path + ".leastConnections")) {
                c.add(path + ".leastConnections", "set on a " + cl.balancer().yamlName()
                        + " cluster (expected: only with balancer: least-connections)");
            }
            only(c, lines, cl, path, "peakEwma", BalancerKind.PEAK_EWMA);
            only(c, lines, cl, path, "prequal", BalancerKind.PREQUAL);
            positive(c, path + ".peakEwma.defaultLatency", cl.peakEwma().defaultLatency());
            positive(c, path + ".peakEwma.decay", cl.peakEwma().decay());
            if (cl.loadReports() != null) {
                positive(c, path + ".loadReports.expiration", cl.loadReports().expiration());
            }
            positive(c, path + ".adaptiveWeights.halfLife", cl.adaptiveWeights().halfLife());
            positive(c, path + ".adaptiveWeights.interval", cl.adaptiveWeights().interval());
            positive(c, path + ".timeouts.connect", cl.timeouts().connect());
            positive(c, path + ".timeouts.response", cl.timeouts().response());
            positive(c, path + ".pool.idleTimeout", cl.pool().idleTimeout());
            if (cl.healthCheck() != null) {
                positive(c, path + ".healthCheck.interval", cl.healthCheck().interval());
                positive(c, path + ".healthCheck.timeout", cl.healthCheck().timeout());
                if (!cl.healthCheck().path().startsWith("/")) {
                    c.add(path + ".healthCheck.path", "\"" + cl.healthCheck().path() + "\" (expected: a path starting with /)");
                }
            }
            if (cl.retries() != null) {
                for (int j = 0; j < cl.retries().retryOn().size(); j++) {
                    String on = cl.retries().retryOn().get(j);
                    if (!dev.sluice.config.model.RetryConfig.DEFAULT_RETRY_ON.contains(on)) {
                        c.add(path + ".retries.retryOn[" + j + "]", "\"" + on + "\" (expected: one of connect-failure, reset, 502, 503, 504)");
                    }
                }
            }
            if (cl.retries() != null && cl.retries().backoff().base().compareTo(cl.retries().backoff().max()) > 0) {
                c.add(path + ".retries.backoff.base", cl.retries().backoff().base() + " (expected: <= backoff.max)");
            }
            if (cl.tls() != null && (cl.tls().certificate() == null) != (cl.tls().privateKey() == null)) {
                c.add(path + ".tls." + (cl.tls().certificate() == null ? "certificate" : "privateKey"),
                        "missing (expected: certificate and privateKey together, for a client certificate)");
            }
            Map<HostPort, Integer> addresses = new HashMap<>();
            for (int j = 0; j < cl.backends().size(); j++) {
                HostPort a = cl.backends().get(j).address();
                Integer first = addresses.putIfAbsent(a, j);
                if (first != null) {
                    c.add(path + ".backends[" + j + "].address", a + " (expected: each address once; backends[" + first + "] has it)");
                }
                if (a.port() == 0) {
                    c.add(path + ".backends[" + j + "].address", a + " (expected: a port 1..65535)");
                }
            }
        }

        if (config.routes().isEmpty()) {
            c.add("routes", "no route (expected: at least one)");
        }
        for (int i = 0; i < config.routes().size(); i++) {
            RouteConfig r = config.routes().get(i);
            String path = "routes[" + i + "]";
            if (!clusterNames.contains(r.cluster())) {
                c.add(path + ".cluster", "\"" + r.cluster() + "\" (expected: the name of a cluster: " + String.join(", ", sorted(clusterNames)) + ")");
            }
            if (!r.match().pathPrefix().startsWith("/")) {
                c.add(path + ".match.pathPrefix", "\"" + r.match().pathPrefix() + "\" (expected: a path starting with /)");
            }
            String host = r.match().host();
            if (host != null && (host.isEmpty() || host.indexOf('*', 1) >= 0 || (host.startsWith("*") && !host.startsWith("*.")))) {
                c.add(path + ".match.host", "\"" + host + "\" (expected: a host name, or *.suffix)");
            }
            for (String h : r.match().headers().keySet()) {
                if (!HEADER_NAME.matcher(h).matches()) {
                    c.add(path + ".match.headers." + h, "\"" + h + "\" (expected: a header name)");
                }
            }
        }
        return out;
    }

    /** A balancer's own section set on a cluster with another balancer. */
    private static void only(Checker c, SourceMap lines, ClusterConfig cl, String path, String section, BalancerKind kind) {
        if (cl.balancer() != kind && lines.isPresent(path + "." + section)) {
            c.add(path + "." + section, "set on a " + cl.balancer().yamlName() + " cluster (expected: only with balancer: "
                    + kind.yamlName() + ")");
        }
    }

    /** {@code rateLimits.store: redis} needs {@code rateLimits.redis}, whose URIs Lettuce must be able to read. */
    private static void redis(Checker c, RateLimitsConfig limits, SourceMap lines) {
        RedisConfig r = limits.redis();
        if (limits.store() == RateLimitStore.REDIS && r == null) {
            c.add("rateLimits.store", "redis without rateLimits.redis (expected: rateLimits.redis.uri)");
        }
        if (r == null) {
            return;
        }
        if (limits.store() != RateLimitStore.REDIS) {
            c.add("rateLimits.redis", "set with store: " + limits.store().yamlName() + " (expected: store: redis, or no redis section)");
        }
        if (r.uri().isEmpty()) {
            c.add("rateLimits.redis.uri", "no URI (expected: redis://host:port, or a list of them for a Redis Cluster)");
        }
        for (int i = 0; i < r.uri().size(); i++) {
            String uri = r.uri().get(i);
            String path = r.uri().size() == 1 && !lines.isPresent("rateLimits.redis.uri[0]") ? "rateLimits.redis.uri"
                    : "rateLimits.redis.uri[" + i + "]";
            boolean single = REDIS_URI.matcher(uri).matches();
            if (r.uri().size() > 1 && !CLUSTER_URI.matcher(uri).matches()) {
                c.add(path, "\"" + uri + "\" (expected: redis:// or rediss://host:port, as every entry of a Redis Cluster list is)");
            } else if (!single) {
                c.add(path, "\"" + uri + "\" (expected: redis://, rediss:// or redis-sentinel:// followed by a host)");
            }
        }
        positive(c, "rateLimits.redis.timeout", r.timeout());
        if (!NAME.matcher(r.keyPrefix()).matches()) {
            c.add("rateLimits.redis.keyPrefix", "\"" + r.keyPrefix() + "\" (expected: 1 to 63 characters of [A-Za-z0-9._-])");
        }
    }

    private static void positive(Checker c, String path, java.time.Duration d) {
        if (d.isZero() || d.isNegative()) {
            c.add(path, "0s (expected: a duration above zero)");
        }
    }

    private static List<String> sorted(Set<String> names) {
        List<String> list = new ArrayList<>(names);
        list.sort(null);
        return list;
    }

    /** Collects problems, looking lines up in the source map. */
    private record Checker(SourceMap lines, List<ConfigProblem> out) {

        void add(String path, String message) {
            out.add(new ConfigProblem(path, lines.line(path), message));
        }

        void name(String path, String name, Map<String, Integer> seen) {
            if (!NAME.matcher(name).matches()) {
                add(path, "\"" + name + "\" (expected: 1-63 characters of [A-Za-z0-9._-], starting with a letter or digit)");
                return;
            }
            Integer first = seen.putIfAbsent(name, lines.line(path));
            if (first != null) {
                add(path, "\"" + name + "\" (expected: a unique name; also used at line " + first + ")");
            }
        }

        void keySource(String path, KeySource key) {
            if (key.sourcesSet() != 1) {
                add(path, key.sourcesSet() + " sources (expected: exactly one of header, cookie, query, pathSegment)");
            }
            if (key.header() != null && !HEADER_NAME.matcher(key.header()).matches()) {
                add(path + ".header", "\"" + key.header() + "\" (expected: a header name)");
            }
        }
    }
}
