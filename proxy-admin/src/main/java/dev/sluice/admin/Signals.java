package dev.sluice.admin;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT start a graceful drain. A JVM shutdown hook would run too late (the process
 * would exit with 143 once the hooks return), so the signals are handled directly through the
 * supported-but-unofficial {@code sun.misc.Signal} (module jdk.unsupported).
 */
final class Signals {

    private Signals() {
    }

    static void onTerminate(Runnable action) {
        Signal.handle(new Signal("TERM"), s -> action.run());
        Signal.handle(new Signal("INT"), s -> action.run());
    }

    /** {@code SIGHUP}: reload, as NGINX and HAProxy's master do. {@code action} must not block. */
    static void onHangup(Runnable action) {
        Signal.handle(new Signal("HUP"), s -> action.run());
    }
}
