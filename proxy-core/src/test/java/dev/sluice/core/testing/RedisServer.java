package dev.sluice.core.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis ({@code /usr/bin/redis-server}, which {@code .ci/run} installs) on a free loopback
 * port, without persistence, stopped by its PID. {@link #kill} ends it the way a crash would and
 * {@link #restart} brings it back, empty, on the same port.
 */
public final class RedisServer implements AutoCloseable {

    private final Path binary;
    private final int port;
    private Process process;

    private RedisServer(Path binary, int port) throws IOException {
        this.binary = binary;
        this.port = port;
        this.process = launch();
    }

    /** Starts a Redis on a free port; skipped outside CI when redis-server is not installed. */
    public static RedisServer start() throws IOException {
        Path binary = DebianTools.need("redis-server");
        return new RedisServer(binary, RedisProcesses.freePort());
    }

    private Process launch() throws IOException {
        Process p = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                .until(() -> "+PONG".equals(command("PING")));
        return p;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Sends one inline command and returns the first line of the answer. */
    public String command(String... words) throws IOException {
        return RedisProcesses.command(port, String.join(" ", List.of(words)), false);
    }

    /**
     * A Redis Sentinel (redis-server in sentinel mode) watching this Redis as master {@code name},
     * on a free loopback port; closing it stops it by its PID.
     */
    public Sentinel sentinel(String name) throws IOException {
        Path dir = java.nio.file.Files.createTempDirectory("sluice-sentinel");
        Path conf = dir.resolve("sentinel.conf");
        int sentinelPort = RedisProcesses.freePort();
        java.nio.file.Files.writeString(conf, "port " + sentinelPort + "\nbind 127.0.0.1\ndir " + dir + "\n"
                + "sentinel monitor " + name + " 127.0.0.1 " + port + " 1\n");
        Process p = new ProcessBuilder(binary.toString(), conf.toString(), "--sentinel")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Sentinel sentinel = new Sentinel(p, sentinelPort, dir);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> sentinel.command("SENTINEL get-master-addr-by-name " + name).startsWith("*2"));
        return sentinel;
    }

    /** A running Sentinel. */
    public static final class Sentinel implements AutoCloseable {
        private final Process process;
        private final int port;
        private final Path dir;

        private Sentinel(Process process, int port, Path dir) {
            this.process = process;
            this.port = port;
            this.dir = dir;
        }

        public int port() {
            return port;
        }

        String command(String line) throws IOException {
            return RedisProcesses.command(port, line, false);
        }

        @Override
        public void close() {
            RedisProcesses.stop(process);
            RedisProcesses.delete(dir);
        }
    }

    /** Ends Redis at once (SIGKILL), as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** A fresh, empty Redis on the same port. */
    public void restart() throws IOException {
        process = launch();
    }

    @Override
    public void close() {
        RedisProcesses.stop(process);
    }
}
