package dev.sluice.admin;

import static java.util.Objects.requireNonNull;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.load.LoadedConfig;
import dev.sluice.config.load.YamlConfigLoader;
import dev.sluice.core.server.SluiceServer;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Reloads the running configuration from the {@code --config} file on {@code POST /reload},
 * {@code SIGHUP}, or when the file's content changes ({@code server.configWatchInterval}).
 * Reloads run one at a time on this class's own thread, which also watches the file: never on an
 * event loop or a signal handler. A file that cannot be used changes nothing; every problem is
 * written to the log and returned to the caller.
 */
final class Reloader implements AutoCloseable {

    /** What a reload did: {@code applied}, with one line per change, or not, with one line per problem. */
    record Outcome(Status status, List<String> lines) {
        enum Status { APPLIED, REFUSED, NO_FILE }
    }

    private final @Nullable Path file;
    private final SluiceServer server;
    private final PrintStream log;
    private final ScheduledExecutorService thread =
            Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("sluice-reload", true));
    // Confined to the reload thread.
    private byte[] lastSeen = new byte[0];
    private Duration watching = Duration.ZERO;
    private @Nullable ScheduledFuture<?> watch;

    /**
     * @param file the configuration file; null when Sluice runs without one ({@code --demo})
     * @param running what {@code server} was started with: a file that differs from its text is reloaded
     */
    Reloader(@Nullable Path file, LoadedConfig running, SluiceServer server, PrintStream log) {
        this.file = file;
        this.server = requireNonNull(server, "server");
        this.log = requireNonNull(log, "log");
        byte[] started = digest(running.text().getBytes(StandardCharsets.UTF_8));
        if (file != null) {
            thread.execute(() -> {
                lastSeen = started;
                watchEvery(running.config().server().configWatchInterval());
            });
        }
    }

    /** Reloads on the reload thread; {@code trigger} names the cause in the log. */
    CompletableFuture<Outcome> reload(String trigger) {
        try {
            return CompletableFuture.supplyAsync(() -> reloadNow(trigger), thread);
        } catch (java.util.concurrent.RejectedExecutionException stopping) { // a drain closed this reloader
            return CompletableFuture.completedFuture(new Outcome(Outcome.Status.REFUSED, List.of("Sluice is stopping")));
        }
    }

    private Outcome reloadNow(String trigger) {
        if (file == null) {
            String why = "Sluice was started without --config: there is no file to reload";
            log.println("sluice: reload (" + trigger + "): " + why);
            return new Outcome(Outcome.Status.NO_FILE, List.of(why));
        }
        byte[] bytes = read(file);
        lastSeen = digest(bytes);
        try {
            if (bytes == null) {
                throw new ConfigException(file.toString(), List.of(new ConfigProblem("", 0, "cannot read the file")));
            }
            LoadedConfig loaded = YamlConfigLoader.load(new String(bytes, StandardCharsets.UTF_8), file.toString());
            List<String> lines = server.reload(loaded.config(), loaded.sourceMap());
            log.println("sluice: reload (" + trigger + ") applied from " + file + ":");
            lines.forEach(l -> log.println("  " + l));
            watchEvery(loaded.config().server().configWatchInterval());
            return new Outcome(Outcome.Status.APPLIED, List.copyOf(lines));
        } catch (ConfigException e) {
            log.println("sluice: reload (" + trigger + ") refused; still running the previous configuration. " + e.getMessage());
            return new Outcome(Outcome.Status.REFUSED, e.problems().stream().map(p -> file + ": " + p).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(Outcome.Status.REFUSED, List.of("interrupted"));
        } catch (RuntimeException e) {
            log.println("sluice: reload (" + trigger + ") failed: " + e);
            return new Outcome(Outcome.Status.REFUSED, List.of("failed: " + e));
        }
    }

    /** (Re)schedules the file check; 0 stops it. */
    private void watchEvery(Duration interval) {
        if (interval.equals(watching)) {
            return;
        }
        if (watch != null) {
            watch.cancel(false);
            watch = null;
        }
        watching = interval;
        if (!interval.isZero()) {
            long nanos = interval.toNanos();
            watch = thread.scheduleWithFixedDelay(this::checkFile, nanos, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Reloads when the file's content differs from what was last read (an editor's save, a ConfigMap's symlink swap). */
    private void checkFile() {
        byte[] bytes = read(file);
        if (bytes == null) {
            return; // between an editor's delete and rename, say: look again next time
        }
        if (!Arrays.equals(digest(bytes), lastSeen)) {
            reloadNow("file changed");
        }
    }

    private static byte @Nullable [] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] digest(byte @Nullable [] bytes) {
        if (bytes == null) {
            return new byte[0];
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
