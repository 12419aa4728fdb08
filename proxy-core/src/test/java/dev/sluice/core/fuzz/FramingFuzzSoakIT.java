package dev.sluice.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * {@link FramingFuzzIT} for 15 minutes, on demand only (not part of {@code verify}):
 * {@code ./mvnw verify -Dfuzz.it=FramingFuzzSoakIT} (the whole suite, then the soak).
 */
class FramingFuzzSoakIT extends FramingFuzzIT {

    @Override
    @FuzzTest(maxDuration = "15m")
    void framing(FuzzedDataProvider data) throws Exception {
        super.framing(data);
    }
}
