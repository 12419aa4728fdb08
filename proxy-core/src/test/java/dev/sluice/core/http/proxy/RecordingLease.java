package dev.sluice.core.http.proxy;

import dev.sluice.core.upstream.Node;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** An {@link UpstreamLease} that keeps what is written to it and what it is told, for the relays' tests. */
final class RecordingLease implements UpstreamLease {

    final List<Object> written = new ArrayList<>();
    final List<Boolean> flushes = new ArrayList<>();
    boolean writable = true;
    @Nullable Boolean reading;
    private @Nullable Node node;

    @Override
    public void begin(Node n) {
        node = n;
    }

    @Override
    public @Nullable Node node() {
        return node;
    }

    @Override
    public void requestSent() {
    }

    @Override
    public void recordResponse(int status) {
    }

    @Override
    public void recordFailure() {
    }

    @Override
    public void acquire() {
    }

    @Override
    public void write(Object msg, boolean flush) {
        written.add(msg);
        flushes.add(flush);
    }

    boolean tunnelled;

    @Override
    public void tunnel() {
        tunnelled = true;
    }

    @Override
    public boolean writable() {
        return writable;
    }

    @Override
    public void readResponse(boolean on) {
        reading = on;
    }

    @Override
    public void end(boolean reuse) {
        node = null;
    }

    /** Releases what was written, as the upstream channel would. */
    void releaseAll() {
        written.forEach(ReferenceCountUtil::release);
        written.clear();
    }
}
