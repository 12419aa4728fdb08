package dev.sluice.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class AccessLogTest {

    @Test
    void linesAreWrittenInOrder() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (AccessLog log = new AccessLog(out, 100)) {
            for (int i = 0; i < 50; i++) {
                log.log("{\"n\":" + i + "}");
            }
        }
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(50, lines.length);
        assertEquals("{\"n\":49}", lines[49]);
    }

    /** A stuck output never blocks the caller: lines beyond the queue are dropped and counted. */
    @Test
    void aFullQueueDropsLinesNotRequests() {
        CountDownLatch release = new CountDownLatch(1);
        OutputStream stuck = new OutputStream() {
            @Override
            public void write(int b) {
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (AccessLog log = new AccessLog(stuck, 10)) {
            long start = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                log.log("line " + i);
            }
            assertTrue(System.nanoTime() - start < 1_000_000_000L, "log() must never wait on the output");
            assertTrue(log.dropped() >= 1000 - 10 - 256, "dropped " + log.dropped());
            release.countDown();
        }
    }
}
