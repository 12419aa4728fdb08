package dev.sluice.core.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One line per request, written off the event loops: lines go into a bounded queue and a daemon
 * thread writes them out in batches. When the queue is full a line is dropped and counted, never
 * the request, and an event loop never waits on the output.
 */
public final class AccessLog implements AutoCloseable {

    /** Lines waiting to be written, at most. */
    public static final int QUEUE = 16_384;

    private final BlockingQueue<String> queue;
    private final OutputStream out;
    private final LongAdder dropped = new LongAdder();
    private final LongAdder written = new LongAdder();
    private final Thread writer;
    private volatile boolean closed;

    public AccessLog(OutputStream out, int capacity) {
        this.out = out;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::drain, "sluice-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues one line (without its newline); never blocks. */
    public void log(String line) {
        if (!queue.offer(line)) {
            dropped.increment();
        }
    }

    public long dropped() {
        return dropped.sum();
    }

    public long written() {
        return written.sum();
    }

    private void drain() {
        List<String> batch = new ArrayList<>(256);
        StringBuilder sb = new StringBuilder(16_384);
        while (!closed || !queue.isEmpty()) {
            try {
                String first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 255);
                for (String line : batch) {
                    sb.append(line).append('\n');
                }
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                written.add(batch.size());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException e) {
                dropped.add(batch.size());
            } finally {
                batch.clear();
                sb.setLength(0);
            }
        }
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
