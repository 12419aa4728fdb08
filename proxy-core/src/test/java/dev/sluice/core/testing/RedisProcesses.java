package dev.sluice.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the Redis test helpers ({@link RedisServer}, its Sentinel, {@link RedisCluster}) share. */
final class RedisProcesses {

    private RedisProcesses() {
    }

    /** A loopback port free now (the caller binds it next). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Sends one inline command to 127.0.0.1:{@code port}; the answer's first line, or up to 8 KiB of it with {@code whole}. */
    static String command(int port, String line, boolean whole) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(2000);
            s.getOutputStream().write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            if (whole) {
                byte[] buf = new byte[8192];
                int n = in.read(buf);
                return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
            }
            StringBuilder first = new StringBuilder();
            for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
                first.append((char) c);
            }
            return first.toString();
        }
    }

    /** Stops {@code p} by its PID (SIGTERM, then SIGKILL after 10 s). */
    static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes a temporary directory and what is in it; one left behind is no failure. */
    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
