package dev.sluice.core.balance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.sluice.config.model.LoadReportsConfig;
import dev.sluice.core.testing.Nodes;
import dev.sluice.core.upstream.Node;
import dev.sluice.core.upstream.OrcaText;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A58's weights from load reports, on a driven clock. */
class LoadWeightsTest {

    private static final long S = 1_000_000_000L;
    private static final LoadReportsConfig CONFIG = new LoadReportsConfig(1.0, Duration.ofSeconds(10), Duration.ofMinutes(3));

    private static void report(Node n, String text, long at) {
        OrcaText.parse(text, n.loadReport(), at);
    }

    @Test
    void qpsOverUtilisationRelativeToTheMean() {
        List<Node> nodes = Nodes.withWeights(1, 1, 1);
        for (long t = 0; t <= 10 * S; t += S) {
            report(nodes.get(0), "TEXT cpu_utilization=0.5, rps_fractional=100", t); // 200
            report(nodes.get(1), "TEXT cpu_utilization=0.25, rps_fractional=100", t); // 400
        }
        // node 2 never reports: it gets the mean (300)
        assertArrayEquals(new double[] {2 / 3.0, 4 / 3.0, 1}, LoadWeights.factors(nodes, CONFIG, 10 * S), 1e-9);
    }

    @Test
    void errorsCountAsUtilisation() {
        List<Node> nodes = Nodes.withWeights(1, 1);
        for (long t = 0; t <= 10 * S; t += S) {
            report(nodes.get(0), "TEXT cpu_utilization=0.5, rps_fractional=100", t); // 100 / 0.5 = 200
            report(nodes.get(1), "TEXT cpu_utilization=0.5, rps_fractional=100, eps=50", t); // 100 / (0.5 + 0.5) = 100
        }
        assertArrayEquals(new double[] {4 / 3.0, 2 / 3.0}, LoadWeights.factors(nodes, CONFIG, 10 * S), 1e-9);
    }

    @Test
    void reportsCountOnlyAfterTheBlackoutAndUntilTheyExpire() {
        List<Node> nodes = Nodes.withWeights(1, 1);
        report(nodes.get(0), "TEXT cpu_utilization=0.5, rps_fractional=100", 0);
        report(nodes.get(1), "TEXT cpu_utilization=0.25, rps_fractional=100", 0);
        assertArrayEquals(new double[] {1, 1}, LoadWeights.factors(nodes, CONFIG, 5 * S), 1e-9); // still in blackout
        report(nodes.get(0), "TEXT cpu_utilization=0.5, rps_fractional=100", 10 * S);
        report(nodes.get(1), "TEXT cpu_utilization=0.25, rps_fractional=100", 10 * S);
        assertArrayEquals(new double[] {2 / 3.0, 4 / 3.0}, LoadWeights.factors(nodes, CONFIG, 10 * S), 1e-9);
        assertArrayEquals(new double[] {1, 1}, LoadWeights.factors(nodes, CONFIG, 10 * S + 181 * S), 1e-9); // expired
    }
}
