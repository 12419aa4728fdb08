package dev.sluice.admin;

import dev.sluice.admin.demo.Demo;
import dev.sluice.admin.demo.DemoBackends;
import dev.sluice.admin.demo.DemoLoad;
import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.load.LoadedConfig;
import dev.sluice.config.load.YamlConfigLoader;
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
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The entry point: {@code --config FILE} runs Sluice, {@code --check FILE} validates a file,
 * {@code --demo} runs Sluice in front of four built-in backends ({@code --demo-load} adds a load),
 * {@code --help} explains.
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
              java -jar sluice.jar --demo          run Sluice on 127.0.0.1:8080 in front of four built-in
                                                   demo backends (configuration: conf/demo.yaml)
              java -jar sluice.jar --demo-load     the same, plus two minutes of load on loopback in which
                                                   one user turns hot and one tenant is limited: watch the
                                                   dashboard at http://127.0.0.1:9901/
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
        boolean demoLoad = args.length == 1 && args[0].equals("--demo-load");
        if ((args.length == 2 && args[0].equals("--config")) || (args.length == 1 && args[0].equals("--demo")) || demoLoad) {
            int code;
            try {
                boolean demo = !args[0].equals("--config");
                Path file = demo ? null : Path.of(args[1]);
                code = serve(demo ? loadDemo(System.err) : loadFile(file, System.err), file, demoLoad);
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
        err.println("sluice: cannot understand " + String.join(" ", args) + " (expected: --config FILE, --check FILE, --demo, --demo-load or --help)");
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

    /**
     * Runs until SIGTERM or SIGINT; reloads {@code file} (null with --demo) on SIGHUP, POST /reload
     * or a change. With {@code demoLoad}, the demo's load runs too.
     */
    private static int serve(LoadedConfig loaded, Path file, boolean demoLoad) throws Exception {
        if (loaded == null) {
            return BAD_CONFIG;
        }
        boolean demo = file == null;
        DemoBackends backends = demo ? Demo.backends(loaded.config()) : null;
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
            out.println(Demo.instructions(a, admin.address(), demoLoad));
            if (demoLoad) {
                DemoLoad load = new DemoLoad(a);
                Signals.onTerminate(() -> {
                    load.close();
                    new Thread(drainAndStop, "sluice-drain").start();
                });
            }
        }
        out.flush();
        stopped.await();
        return OK;
    }
}
