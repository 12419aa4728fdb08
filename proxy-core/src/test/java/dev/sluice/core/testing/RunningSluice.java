package dev.sluice.core.testing;

import dev.sluice.config.load.LoadedConfig;
import dev.sluice.config.load.YamlConfigLoader;
import dev.sluice.core.server.SluiceServer;
import dev.sluice.core.time.Ticker;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;

/** A real Sluice on an ephemeral loopback port, started from YAML text. */
public final class RunningSluice implements AutoCloseable {

    private final SluiceServer server;

    private RunningSluice(SluiceServer server) {
        this.server = server;
    }

    /** Starts Sluice from {@code yaml}, whose first listener should bind {@code 127.0.0.1:0}. */
    public static RunningSluice start(String yaml) throws Exception {
        return start(yaml, Ticker.SYSTEM);
    }

    /** As {@link #start(String)}, measuring time (slow start, statistics, buckets) with {@code ticker}. */
    public static RunningSluice start(String yaml, Ticker ticker) throws Exception {
        return start(yaml, ticker, System.out);
    }

    /** As {@link #start(String, Ticker)}, writing access-log lines to {@code accessLog}. */
    public static RunningSluice start(String yaml, Ticker ticker, OutputStream accessLog) throws Exception {
        LoadedConfig loaded = YamlConfigLoader.load(yaml, "test.yaml");
        return new RunningSluice(SluiceServer.start(loaded.config(), loaded.sourceMap(), ticker, accessLog));
    }

    /** Loads {@code yaml} as a reload would: the changes applied, or every problem (loader's or server's) thrown. */
    public java.util.List<String> reload(String yaml) throws Exception {
        LoadedConfig loaded = YamlConfigLoader.load(yaml, "reload.yaml");
        return server.reload(loaded.config(), loaded.sourceMap());
    }

    public SluiceServer server() {
        return server;
    }

    public InetSocketAddress address() {
        return server.address(server.config().listeners().get(0).name());
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + address().getPort() + path);
    }

    @Override
    public void close() {
        server.close();
    }
}
