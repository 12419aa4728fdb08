package dev.sluice.core.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster of three masters on free loopback ports ({@code redis-server} in cluster
 * mode, joined by {@code redis-cli --cluster create}), without persistence, in a temporary
 * directory; every process stopped by its PID at {@link #close}.
 */
public final class RedisCluster implements AutoCloseable {

    private final Path dir;
    private final List<Integer> ports = new ArrayList<>();
    private final List<Process> nodes = new ArrayList<>();

    private RedisCluster() throws IOException {
        this.dir = Files.createTempDirectory("sluice-redis-cluster");
    }

    /** Starts and joins three masters; skipped outside CI when redis-server or redis-cli is missing. */
    public static RedisCluster start() throws Exception {
        Path server = DebianTools.need("redis-server");
        Path cli = DebianTools.need("redis-cli");
        RedisCluster c = new RedisCluster();
        try {
            for (int i = 0; i < 3; i++) {
                int port = RedisProcesses.freePort();
                c.ports.add(port);
                c.nodes.add(new ProcessBuilder(server.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf", "--dir", c.dir.toString(),
                        "--save", "", "--appendonly", "no", "--loglevel", "warning")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            }
            for (int port : c.ports) {
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> RedisProcesses.command(port, "PING", false).equals("+PONG"));
            }
            List<String> create = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
            c.ports.forEach(p -> create.add("127.0.0.1:" + p));
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Process join = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!join.waitFor(30, TimeUnit.SECONDS) || join.exitValue() != 0) {
                join.destroyForcibly();
                throw new IllegalStateException("redis-cli --cluster create failed");
            }
            for (int port : c.ports) {
                await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> RedisProcesses.command(port, "CLUSTER INFO", true).contains("cluster_state:ok"));
            }
            return c;
        } catch (Exception | AssertionError e) {
            c.close();
            throw e;
        }
    }

    /** One {@code redis://127.0.0.1:<port>} per master. */
    public List<String> uris() {
        return ports.stream().map(p -> "redis://127.0.0.1:" + p).toList();
    }

    @Override
    public void close() {
        nodes.forEach(Process::destroy); // all at once, then each waited for
        nodes.forEach(RedisProcesses::stop);
        RedisProcesses.delete(dir);
    }
}
