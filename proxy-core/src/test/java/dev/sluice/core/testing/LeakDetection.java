package dev.sluice.core.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reports a leaked buffer. Registered for every test class by JUnit's
 * extension auto-detection (see {@code junit-platform.properties}), so it is installed before any
 * test touches a buffer. Runs with paranoid detection: every buffer is tracked.
 *
 * <p>Netty's leak detector is process-wide (a static factory), so the record of leaks has to be
 * process-wide too; this is the one piece of static mutable state, and it lives in test code.
 */
public final class LeakDetection implements AfterAllCallback {

    private static final List<String> LEAKS = new ArrayList<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> leaks = collect();
        if (!leaks.isEmpty()) {
            fail(leaks.size() + " leaked buffer(s) in " + context.getDisplayName() + ":\n" + String.join("\n", leaks));
        }
    }

    /** Forces collection of unreachable buffers and returns (and clears) every leak reported so far. */
    public static List<String> collect() {
        for (int round = 0; round < 5; round++) {
            System.gc();
            // Each tracked allocation makes the detector poll its reference queue and report.
            for (int i = 0; i < 64; i++) {
                ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(8);
                b.release();
            }
        }
        synchronized (LEAKS) {
            List<String> out = new ArrayList<>(LEAKS);
            LEAKS.clear();
            return out;
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
            return new ResourceLeakDetector<T>(resource, samplingInterval) {
                @Override
                protected void reportTracedLeak(String resourceType, String records) {
                    synchronized (LEAKS) {
                        LEAKS.add("LEAK " + resourceType + records);
                    }
                    super.reportTracedLeak(resourceType, records);
                }

                @Override
                protected void reportUntracedLeak(String resourceType) {
                    synchronized (LEAKS) {
                        LEAKS.add("LEAK " + resourceType + " (untraced)");
                    }
                    super.reportUntracedLeak(resourceType);
                }
            };
        }
    }
}
