package dev.sluice.admin;

import dev.sluice.admin.demo.DemoBackends;
import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.load.LoadedConfig;
import dev.sluice.config.load.YamlConfigLoader;
import dev.sluice.config.model.BackendConfig;
import dev.sluice.config.model.ListenerConfig;
import dev.sluice.core.server.SluiceServer;
import dev.sluice.core.time.Ticker;
import dev.sluice.core.tls.ServerCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The entry point: {@code --config FILE} runs Sluice, {@code --check FILE} validates a file,
 * {@code --demo} runs Sluice in front of three built-in backends, {@code --help} explains.
 *
 * <p>Exit codes: 0 success (or a clean stop), 1 a configuration that cannot be used, 2 a command
 * line that cannot be understood.
 */
public final class Main {

    static final int OK = 0;
    static final int BAD_CONFIG = 1;
    static final int USAGE = 2;
    static final String DEMO_CONFIG = "/conf/demo.yaml";

    static final String HELP = """
            Sluice: an L7 load-balancing reverse proxy that keeps traffic from piling onto one node.

            Usage:
              java -jar sluice.jar --config FILE   run Sluice with the YAML configuration FILE
              java -jar sluice.jar --check FILE    validate FILE: exit 0 if usable, else 1 with every problem
              java -jar sluice.jar --demo          run Sluice on 127.0.0.1:8080 in front of three built-in
                                                   demo backends (configuration: conf/demo.yaml)
              java -jar sluice.jar --help          this text

            Problems in a file are listed as `path.to.key (line N): what is wrong`.
            A running Sluice reloads its file on SIGHUP, on POST /reload (admin port), or when the
            file changes (server.configWatchInterval); a file with problems changes nothing.
            A key this build parses but does not serve yet (TLS, h2 upstreams) is a problem too.
            """;

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        if ((args.length == 2 && args[0].equals("--config")) || (args.length == 1 && args[0].equals("--demo"))) {
            int code;
            try {
                boolean demo = args[0].equals("--demo");
                Path file = demo ? null : Path.of(args[1]);
                code = serve(demo ? loadDemo(System.err) : loadFile(file, System.err), file);
            } catch (Exception e) { // a port in use, say: say so in one line and leave no thread behind
                System.err.println("sluice: cannot start: " + e);
                code = BAD_CONFIG;
            }
            System.exit(code);
        } else {
            System.exit(run(args, System.out, System.err));
        }
    }

    /** The commands that return at once: {@code --check}, {@code --help}, and usage errors. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.print(HELP);
            return OK;
        }
        if (args.length == 2 && args[0].equals("--check")) {
            LoadedConfig loaded = loadFile(Path.of(args[1]), err);
            if (loaded == null) {
                return BAD_CONFIG;
            }
            out.println(args[1] + ": ok");
            return OK;
        }
        err.println("sluice: cannot understand " + String.join(" ", args) + " (expected: --config FILE, --check FILE, --demo or --help)");
        err.print(HELP);
        return USAGE;
    }

    /** Loads and validates a file, printing every problem (a key this build does not serve is one); null when unusable. */
    static LoadedConfig loadFile(Path file, PrintStream err) {
        try {
            return built(YamlConfigLoader.load(file));
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return null;
        }
    }

    static LoadedConfig loadDemo(PrintStream err) throws IOException {
        try (InputStream in = Main.class.getResourceAsStream(DEMO_CONFIG)) {
            if (in == null) {
                throw new IOException(DEMO_CONFIG + " is missing from the jar");
            }
            return built(YamlConfigLoader.load(new String(in.readAllBytes(), StandardCharsets.UTF_8), "conf/demo.yaml"));
        } catch (ConfigException e) {
            throw new IllegalStateException("the built-in demo configuration is invalid: " + e.getMessage(), e);
        }
    }

    /** {@code loaded}, unless a file it names (a TLS certificate or key) cannot be read or parsed. */
    private static LoadedConfig built(LoadedConfig loaded) throws ConfigException {
        List<ConfigProblem> files = ServerCertificates.problems(loaded.config(), loaded.sourceMap());
        if (!files.isEmpty()) {
            throw new ConfigException(loaded.source(), files);
        }
        return loaded;
    }

    /** Runs until SIGTERM or SIGINT; reloads {@code file} (null with --demo) on SIGHUP, POST /reload or a change. */
    private static int serve(LoadedConfig loaded, Path file) throws Exception {
        if (loaded == null) {
            return BAD_CONFIG;
        }
        boolean demo = file == null;
        DemoBackends backends = null;
        if (demo) {
            List<InetSocketAddress> addresses = new ArrayList<>();
            for (BackendConfig b : loaded.config().clusters().get(0).backends()) {
                addresses.add(new InetSocketAddress(b.address().host(), b.address().port()));
            }
            backends = new DemoBackends(addresses);
        }
        SluiceServer server;
        try {
            server = SluiceServer.start(loaded.config(), loaded.sourceMap(), Ticker.SYSTEM);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            if (backends != null) {
                backends.close();
            }
            return BAD_CONFIG;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        DemoBackends demoBackends = backends;
        AdminServer[] adminRef = new AdminServer[1];
        Reloader reloader = new Reloader(file, loaded, server, System.err);
        Runnable drainAndStop = () -> {
            if (!stopping.compareAndSet(false, true)) {
                return;
            }
            reloader.close();
            if (adminRef[0] != null) {
                adminRef[0].markDraining();
            }
            java.time.Duration deadline = server.config().server().drainTimeout();
            try {
                boolean clean = server.drain(deadline);
                System.err.println("sluice: drained " + (clean ? "cleanly" : "at the " + deadline.toMillis() + "ms deadline"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (adminRef[0] != null) {
                adminRef[0].close();
            }
            server.close();
            if (demoBackends != null) {
                demoBackends.close();
            }
            stopped.countDown();
        };
        try {
            adminRef[0] = new AdminServer(server, loaded.config().admin().bind(), drainAndStop, demo ? null : reloader);
        } catch (Exception e) {
            System.err.println("sluice: " + e.getMessage());
            reloader.close();
            server.close();
            if (backends != null) {
                backends.close();
            }
            return BAD_CONFIG;
        }
        AdminServer admin = adminRef[0];
        Signals.onTerminate(() -> new Thread(drainAndStop, "sluice-drain").start());
        Signals.onHangup(() -> reloader.reload("SIGHUP"));
        PrintStream out = System.out;
        for (ListenerConfig l : loaded.config().listeners()) {
            out.println("Sluice ready: listener " + l.name() + " on " + server.address(l.name()));
        }
        out.println("Admin port on " + admin.address() + " (/health/live, /health/ready, /stats, /metrics, /config)");
        if (!demo) {
            out.println("Reload: kill -HUP " + ProcessHandle.current().pid() + ", POST /reload on the admin port, or save " + file);
        }
        out.println("Ready " + java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() + " ms after JVM start");
        if (demo) {
            InetSocketAddress a = server.address(loaded.config().listeners().get(0).name());
            String base = "http://" + a.getHostString() + ":" + a.getPort();
            out.println("""
                    Demo: three backends (weights 1:1:2) behind %1$s. Try:
                      curl -s %1$s/hello                          # HTTP/1.1; repeat to watch the rotation
                      curl -s --http2-prior-knowledge %1$s/hello  # HTTP/2 cleartext, prior knowledge
                      curl -s --http2 %1$s/hello                  # HTTP/2 cleartext via Upgrade: h2c
                      curl -si %1$s/hello                         # with headers: X-Request-Id, Via
                    Press Ctrl-C to stop.""".formatted(base));
        }
        out.flush();
        stopped.await();
        return OK;
    }
}
