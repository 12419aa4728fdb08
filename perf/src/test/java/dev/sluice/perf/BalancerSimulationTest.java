package dev.sluice.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulation on a shorter trace: the orderings the committed report relies on must hold. */
class BalancerSimulationTest {

    @Test
    void reportOrderingsHold() {
        List<BalancerSimulation.Result> r = BalancerSimulation.runAll(60_000, 7L);
        BalancerSimulation.Result roundRobin = r.get(0);
        BalancerSimulation.Result drr = r.get(1);
        BalancerSimulation.Result leastConnections = r.get(2);
        BalancerSimulation.Result plainHash = r.get(3);
        BalancerSimulation.Result boundedHash = r.get(4);
        assertEquals(0.10, roundRobin.slowestShare(), 0.005, "round robin ignores speed");
        assertTrue(drr.slowestShare() < 0.06, drr.toString());
        assertTrue(leastConnections.slowestShare() < 0.03, leastConnections.toString());
        assertTrue(drr.p99Ms() < roundRobin.p99Ms() / 10, drr + " vs " + roundRobin);
        assertTrue(boundedHash.p99Ms() < plainHash.p99Ms() / 10, boundedHash + " vs " + plainHash);
        assertTrue(boundedHash.peakToMean() < plainHash.peakToMean() / 2, boundedHash + " vs " + plainHash);
        assertTrue(boundedHash.keysMoved() > 0.07 && boundedHash.keysMoved() < 0.13, boundedHash.toString());
        assertTrue(BalancerSimulation.markdown(r, 60_000).contains("| consistent-hash, bounded 1.25 |"));
    }
}
