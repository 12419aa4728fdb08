package dev.sluice.perf;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The spike test ({@code perf/spike.sh}): Sluice with adaptive shedding in front of a backend of
 * fixed capacity ({@link SpikeBackend}), driven by an open-loop client ({@link OpenLoopClient}).
 * It measures what the pair admits under a stepped load (its capacity), then runs a steady
 * load at half of that, 5x that load for the spike, and the steady load again, and writes a
 * markdown report, a per-second TSV and a PNG chart. Pass: p99 of the admitted requests during
 * the spike below 2x the steady p99; the excess refused as 429 (no 5xx, no request without an
 * answer); the same Sluice process from start to end; and per-second p99 back within 1.5x the
 * steady p99 within 10 s of the spike's end.
 *
 * <pre>java -cp perf/target/benchmarks.jar dev.sluice.perf.SpikeTest SLUICE_JAR SPIKE_SECONDS OUT_DIR</pre>
 */
public final class SpikeTest {

    private static final int PORT = 19400;
    private static final int ADMIN = 19402;
    private static final int BACKEND = 19401;
    private static final int STEADY_SECONDS = 30;

    private SpikeTest() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int spikeSeconds = Integer.parseInt(args[1]);
        Path out = Path.of(args[2]);
        double tolerance = args.length > 3 ? Double.parseDouble(args[3]) : 1.5; // shedding.latencyTolerance (Sluice's default)
        Files.createDirectories(out);
        Path config = Files.createTempFile("sluice-spike", ".yaml");
        Files.writeString(config, """
                server: { eventLoopThreads: 1 }
                listeners: [ { name: spike, bind: "127.0.0.1:%d" } ]
                admin: { bind: "127.0.0.1:%d" }
                shedding: { adaptive: true, maxInFlight: 1024, latencyTolerance: %s }
                accessLog: { enabled: false }
                routes: [ { match: { pathPrefix: / }, cluster: spike } ]
                clusters:
                  - name: spike
                    pool: { maxConnectionsPerNode: 1024 }
                    backends: [ { address: "127.0.0.1:%d" } ]
                """.formatted(PORT, ADMIN, tolerance, BACKEND));
        Path sluiceLog = Path.of(System.getProperty("java.io.tmpdir"), "sluice-spike.log");
        try (SpikeBackend backend = new SpikeBackend(BACKEND, 16, 2.0)) {
            Process sluice = new ProcessBuilder("taskset", "-c", "0", "java", "-Xms256m", "-Xmx256m", "-XX:+UseParallelGC",
                    "-XX:+AlwaysPreTouch", "-jar", jar.toString(), "--config", config.toString())
                    .redirectErrorStream(true).redirectOutput(sluiceLog.toFile()).start();
            try {
                awaitReady();
                run(sluice, backend, spikeSeconds, tolerance, out);
            } finally {
                sluice.destroy();
                if (!sluice.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    sluice.destroyForcibly();
                }
                Files.deleteIfExists(config);
            }
        }
    }

    private static void awaitReady() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ADMIN + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100); // polling a starting process: nothing to wait on but its port
        }
        throw new IllegalStateException("Sluice did not become ready in 30 s");
    }

    private static void run(Process sluice, SpikeBackend backend, int spikeSeconds, double tolerance, Path out) throws Exception {
        long pid = sluice.pid();
        try (OpenLoopClient client = new OpenLoopClient(new InetSocketAddress("127.0.0.1", PORT), "/", 4000, 512, 2000)) {
            // Warm the JIT (both paths: admitted, and refused at a spike's rate), then find what the pair admits: offered load stepped up by a tenth of the
            // backend's capacity every 2 s until less than 95 % of a step is admitted.
            client.rate(backend.capacity() * 0.25);
            Thread.sleep(10_000); // the load runs for this long: a schedule, not a wait for an event
            // The refusal path warms too: a JVM that never refused at 5x would compile it during the spike.
            client.rate(backend.capacity() * 2.5);
            Thread.sleep(5_000);
            client.rate(backend.capacity() * 0.25);
            Thread.sleep(5_000);
            double capacity = 0;
            for (double offered = backend.capacity() * 0.3; offered <= backend.capacity() * 1.5; offered += backend.capacity() * 0.1) {
                client.rate(offered);
                int from = secondsSoFar(client) + 1;
                Thread.sleep(3_000);
                double admitted = admittedPerSecond(client.seconds(), from + 1, secondsSoFar(client));
                capacity = Math.max(capacity, admitted);
                if (admitted < 0.95 * offered) {
                    break;
                }
            }
            double steady = capacity / 2;
            client.rate(steady);
            Thread.sleep(10_000); // settle after the probe
            int steadyFrom = secondsSoFar(client);
            Thread.sleep(STEADY_SECONDS * 1000L);
            int spikeFrom = secondsSoFar(client);
            client.rate(steady * 5);
            Thread.sleep(spikeSeconds * 1000L);
            int afterFrom = secondsSoFar(client);
            client.rate(steady);
            Thread.sleep(STEADY_SECONDS * 1000L);
            int end = secondsSoFar(client);
            client.rate(0);
            Thread.sleep(2_500); // the last requests' answers (timeout 2 s)
            List<OpenLoopClient.Second> s = client.seconds();
            boolean sameProcess = sluice.isAlive() && sluice.pid() == pid;
            Report report = new Report(capacity, steady, spikeSeconds, tolerance, s, steadyFrom, spikeFrom, afterFrom, end, sameProcess, backend.capacity());
            report.write(out);
        }
    }

    private static int secondsSoFar(OpenLoopClient client) {
        return (int) (client.elapsedNanos() / 1_000_000_000L);
    }

    private static double admittedPerSecond(List<OpenLoopClient.Second> s, int from, int to) {
        long n = 0;
        for (int i = from; i < to && i < s.size(); i++) {
            n += s.get(i).admitted;
        }
        return (double) n / Math.max(1, to - from);
    }

    /** The figures of one run, and how they are written. */
    private record Report(double capacity, double steady, int spikeSeconds, double tolerance, List<OpenLoopClient.Second> s, int steadyFrom, int spikeFrom,
            int afterFrom, int end, boolean sameProcess, double backendCapacity) {

        Phase phase(String name, int from, int to) {
            OpenLoopClient.Second sum = new OpenLoopClient.Second();
            for (int i = from; i < to && i < s.size(); i++) {
                sum.add(s.get(i));
            }
            return new Phase(name, sum, Math.max(1, to - from));
        }

        /** Seconds after the spike's end until a second's p99 is within 1.5x the steady p99 (and stays so for 3 s); -1: never. */
        int recovery(double steadyP99) {
            for (int i = afterFrom; i + 2 < Math.min(end, s.size()); i++) {
                boolean ok = true;
                for (int k = i; k < i + 3; k++) {
                    ok &= s.get(k).admittedNanos.getValueAtPercentile(99) <= 1.5 * steadyP99;
                }
                if (ok) {
                    return i - afterFrom;
                }
            }
            return -1;
        }

        void write(Path out) throws IOException {
            Phase before = phase("steady", steadyFrom, spikeFrom);
            Phase spike = phase("spike (5x)", spikeFrom, afterFrom);
            Phase after = phase("steady again", afterFrom, end);
            double steadyP99 = before.sum().admittedNanos.getValueAtPercentile(99);
            double spikeP99 = spike.sum().admittedNanos.getValueAtPercentile(99);
            int recovery = recovery(steadyP99);
            boolean p99Ok = spikeP99 < 2 * steadyP99;
            OpenLoopClient.Second all = new OpenLoopClient.Second();
            List.of(before, spike, after).forEach(p -> all.add(p.sum()));
            boolean refusedOk = all.serverErrors + all.failed == 0 && spike.sum().refused > 0;
            boolean recoveryOk = recovery >= 0 && recovery <= 10;
            StringBuilder md = new StringBuilder();
            String when = ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT));
            md.append("# Spike test, ").append(when).append("\n\n");
            md.append(String.format(Locale.ROOT, """
                    Sluice (one event loop, `taskset -c 0`, `shedding: { adaptive: true, maxInFlight: 1024, latencyTolerance: %s }`) in front of
                    a backend that serves 16 requests at a time for 2 ms each (capacity %.0f req/s), driven by an
                    open-loop client (latency from when each request was due; timeout 2 s; 512 keep-alive connections opened at the start, up to 4000)
                    on CPU 1 with the backend. Offered a load stepped up by 10 %% of the backend's capacity every 3 s,
                    the pair admitted at most **%.0f req/s** (its measured capacity). Then %d s steady at half of that (**%.0f req/s**), %d s at 5x (**%.0f req/s**),
                    and %d s steady again.

                    | phase | offered req/s | admitted req/s | refused (429) req/s | 5xx | no answer | admitted p50 | p99 | p99.9 | 429 p99 |
                    |---|---|---|---|---|---|---|---|---|---|
                    """, tolerance, backendCapacity, capacity, STEADY_SECONDS, steady, spikeSeconds, steady * 5, STEADY_SECONDS));
            for (Phase p : List.of(before, spike, after)) {
                OpenLoopClient.Second x = p.sum();
                md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %d | %d | %s | %s | %s | %s |%n", p.name(),
                        (double) x.sent / p.seconds(), (double) x.admitted / p.seconds(), (double) x.refused / p.seconds(), x.serverErrors,
                        x.failed, ms(x.admittedNanos, 50), ms(x.admittedNanos, 99), ms(x.admittedNanos, 99.9), ms(x.refusedNanos, 99)));
            }
            md.append(String.format(Locale.ROOT, """

                    | criterion | result | |
                    |---|---|---|
                    | admitted p99 during the spike < 2x the steady p99 | %s vs %s (%.2fx) | %s |
                    | the excess refused as 429, no 5xx, every request answered | %d refused; %d 5xx, %d unanswered in all phases | %s |
                    | no restart | %s | %s |
                    | per-second p99 within 1.5x the steady p99 within 10 s of the spike's end | %s | %s |

                    Per second: [`spike.tsv`](spike.tsv). ![spike](spike.png)
                    """, ms(spikeP99), ms(steadyP99), spikeP99 / steadyP99, pass(p99Ok), spike.sum().refused,
                    all.serverErrors, all.failed, pass(refusedOk),
                    sameProcess ? "the same process, alive" : "the process ended", pass(sameProcess),
                    recovery < 0 ? "not within the run" : "after " + recovery + " s", pass(recoveryOk)));
            Files.writeString(out.resolve("spike.md"), md.toString());
            StringBuilder tsv = new StringBuilder("# seconds from the start of the steady phase; negative: warm-up and the capacity steps\n"
                    + "second\toffered\tsent\tadmitted\trefused\t5xx\tfailed\tp50_ms\tp99_ms\tp999_ms\trefused_p99_ms\n");
            for (int i = 0; i < end && i < s.size(); i++) {
                OpenLoopClient.Second x = s.get(i);
                tsv.append(String.format(Locale.ROOT, "%d\t%.0f\t%d\t%d\t%d\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f%n", i - steadyFrom, x.offeredRate, x.sent,
                        x.admitted, x.refused, x.serverErrors, x.failed, x.admittedNanos.getValueAtPercentile(50) / 1e6,
                        x.admittedNanos.getValueAtPercentile(99) / 1e6, x.admittedNanos.getValueAtPercentile(99.9) / 1e6,
                        x.refusedNanos.getValueAtPercentile(99) / 1e6));
            }
            Files.writeString(out.resolve("spike.tsv"), tsv.toString());
            SpikeChart.draw(s.subList(steadyFrom, Math.min(end, s.size())), spikeFrom - steadyFrom, afterFrom - steadyFrom, steadyP99 / 1e6,
                    out.resolve("spike.png"));
            System.out.print(md);
        }

        private static String pass(boolean ok) {
            return ok ? "pass" : "**fail**";
        }

        private static String ms(Histogram h, double percentile) {
            return h.getTotalCount() == 0 ? "-" : ms(h.getValueAtPercentile(percentile));
        }

        private static String ms(double nanos) {
            return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
        }
    }

    /** A phase of the run: its seconds summed. */
    private record Phase(String name, OpenLoopClient.Second sum, int seconds) {
    }
}
