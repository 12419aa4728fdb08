package dev.sluice.core.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
                int port;
                try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    port = s.getLocalPort();
                }
                c.ports.add(port);
                c.nodes.add(new ProcessBuilder(server.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf", "--dir", c.dir.toString(),
                        "--save", "", "--appendonly", "no", "--loglevel", "warning")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            }
            for (int port : c.ports) {
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> command(port, "PING").equals("+PONG"));
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
                await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> info(port).contains("cluster_state:ok"));
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

    private static String command(int port, String command) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(2000);
            s.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            StringBuilder line = new StringBuilder();
            for (int ch = s.getInputStream().read(); ch != -1 && ch != '\r'; ch = s.getInputStream().read()) {
                line.append((char) ch);
            }
            return line.toString();
        }
    }

    /** The whole {@code CLUSTER INFO} answer (a bulk string). */
    private static String info(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(2000);
            s.getOutputStream().write("CLUSTER INFO\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[8192];
            int n = s.getInputStream().read(buf);
            return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
        }
    }

    @Override
    public void close() {
        for (Process p : nodes) {
            p.destroy();
        }
        try {
            for (Process p : nodes) {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
