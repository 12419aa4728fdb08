package dev.sluice.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 10's differential fuzz test of HTTP/1.1 framing (see {@link FramingFuzzHarness}), run by
 * {@code ./mvnw verify} for 30 s of coverage-guided fuzzing (Jazzer; the {@code fuzz} execution of
 * proxy-core's failsafe sets {@code JAZZER_FUZZ}). Inputs that once failed are kept under
 * {@code src/test/resources/dev/sluice/core/fuzz/FramingFuzzITInputs/framing/} and replayed first,
 * as regression tests; streams found in CI, where the input is not kept, are replayed readable by
 * {@link FramingRegressionIT}. {@link FramingFuzzSoakIT} runs the same harness for longer, on demand. The
 * summary of a run is printed and written to {@code proxy-core/target/fuzz-summary.txt}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FramingFuzzIT {

    private final FramingFuzzHarness.Lazy harness = new FramingFuzzHarness.Lazy();

    @FuzzTest(maxDuration = "30s")
    void framing(FuzzedDataProvider data) throws Exception {
        harness.get().run(data);
    }

    @AfterAll
    void stop() throws Exception {
        harness.report();
    }
}
