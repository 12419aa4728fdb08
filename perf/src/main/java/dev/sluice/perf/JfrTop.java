package dev.sluice.perf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * The top-frame tables of a JFR recording's execution samples, as markdown: the methods that run
 * most (self) and the methods most often on the stack (inclusive), for the threads whose name
 * starts with a prefix. How perf/README.md's profiles are made:
 *
 * <pre>
 * SLUICE_JAVA_OPTS="-Xms256m -Xmx256m -XX:+UseParallelGC -XX:FlightRecorderOptions=stackdepth=160 \
 *   -XX:StartFlightRecording=filename=/tmp/s.jfr,settings=profile" CASES=h1-100 PROXIES=sluice perf/run.sh 2 10
 * java -cp perf/target/benchmarks.jar dev.sluice.perf.JfrTop /tmp/s.jfr sluice-loop 25 [REQUESTS]
 * </pre>
 * With the number of requests served while recording, it also divides the bytes the threads
 * allocated (JFR's thread allocation statistics) by them: the allocation per proxied request.
 */
public final class JfrTop {

    private JfrTop() {
    }

    public static void main(String[] args) throws IOException {
        String thread = args.length > 1 ? args[1] : "";
        int top = args.length > 2 ? Integer.parseInt(args[2]) : 25;
        long requests = args.length > 3 ? Long.parseLong(args[3]) : 0;
        Map<String, long[]> allocated = new HashMap<>(); // thread -> first and last reading
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        int samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (e.getEventType().getName().equals("jdk.ThreadAllocationStatistics") && e.getThread("thread") != null
                    && String.valueOf(e.getThread("thread").getJavaName()).startsWith(thread)) {
                long bytes = e.getLong("allocated");
                allocated.merge(e.getThread("thread").getJavaName(), new long[] {bytes, bytes},
                        (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
                continue;
            }
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null
                    || !String.valueOf(e.getThread("sampledThread").getJavaName()).startsWith(thread)) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < frames.size(); i++) {
                String m = frames.get(i).getMethod().getType().getName() + "." + frames.get(i).getMethod().getName();
                if (i == 0) {
                    self.merge(m, 1, Integer::sum);
                }
                if (seen.add(m)) {
                    inclusive.merge(m, 1, Integer::sum);
                }
            }
        }
        System.out.println(samples + " execution samples of threads named " + thread + "*");
        long bytes = allocated.values().stream().mapToLong(a -> a[1] - a[0]).sum();
        if (requests > 0 && bytes > 0) {
            System.out.printf(Locale.ROOT, "%nAllocated on those threads while recorded: %d bytes, %d requests: %d bytes per request.%n",
                    bytes, requests, bytes / requests);
        }
        table("self", self, samples, top);
        table("on the stack", inclusive, samples, top);
    }

    private static void table(String title, Map<String, Integer> counts, int samples, int top) {
        System.out.println();
        System.out.println("| " + title + " | samples | share |");
        System.out.println("|---|---|---|");
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(en -> System.out.printf(Locale.ROOT, "| `%s` | %d | %.1f %% |%n", en.getKey(), en.getValue(),
                        100.0 * en.getValue() / samples));
    }
}
