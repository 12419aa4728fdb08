package dev.sluice.core.health;

import dev.sluice.core.upstream.Node;
import java.util.concurrent.CompletionStage;

/** One probe of one node. Must not block; completes on an event loop. */
public interface HealthChecker {

    /** True when the node answered the probe with 2xx in time. */
    CompletionStage<Boolean> probe(Node node);
}
