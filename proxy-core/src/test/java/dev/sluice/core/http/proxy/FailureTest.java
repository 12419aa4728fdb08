package dev.sluice.core.http.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.model.HostPort;
import dev.sluice.core.balance.DynamicRoundRobin;
import dev.sluice.core.http.RequestContext;
import dev.sluice.core.metrics.Refusals;
import dev.sluice.core.testing.Nodes;
import dev.sluice.core.upstream.Cluster;
import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FailureTest {

    private final HostPort node = new HostPort("10.0.0.1", 8080);

    @Test
    void connectFailuresAre502AndRetriedAsConnectFailures() {
        assertEquals(Failure.CONNECT_TIMEOUT, Failure.ofConnect(new ConnectTimeoutException("slow")));
        assertEquals(Failure.CONNECT_REFUSED, Failure.ofConnect(new ConnectException("no")));
        assertEquals(Failure.CONNECT_ERROR, Failure.ofConnect(new IOException("unreachable")));
        for (Failure f : new Failure[] {Failure.CONNECT_TIMEOUT, Failure.CONNECT_REFUSED, Failure.CONNECT_ERROR}) {
            assertEquals(502, f.status().code());
            assertEquals("connect-failure", f.retryOn());
            assertTrue(f.blamesNode());
        }
        assertEquals("connect to 10.0.0.1:8080 timed out", Failure.connectReason(node, new ConnectTimeoutException("slow")));
        assertEquals("connect to 10.0.0.1:8080 failed: connection refused", Failure.connectReason(node, new ConnectException("no")));
        assertEquals("connect to 10.0.0.1:8080 failed: unreachable", Failure.connectReason(node, new IOException("unreachable")));
    }

    @Test
    void eachFailureHasItsStatusRetryNameAndBlame() {
        assertEquals("reset", Failure.UPSTREAM_CLOSED.retryOn());
        assertEquals("upstream 10.0.0.1:8080 closed the connection before responding", Failure.closedReason(node, null));
        assertEquals("upstream 10.0.0.1:8080 reset the connection before responding", Failure.closedReason(node, new IOException()));
        assertNull(Failure.MALFORMED_RESPONSE.retryOn(), "a malformed response is never sent again");
        assertEquals(504, Failure.RESPONSE_TIMEOUT.status().code());
        assertEquals(504, Failure.REQUEST_TIMEOUT.status().code());
        assertEquals(408, Failure.REQUEST_NOT_RECEIVED.status().code());
        assertEquals(413, Failure.BODY_TOO_LARGE.status().code());
        assertEquals(400, Failure.MALFORMED_BODY.status().code());
        assertEquals(503, Failure.ALL_AT_LIMIT.status().code());
        for (Failure f : new Failure[] {Failure.REQUEST_NOT_RECEIVED, Failure.BODY_TOO_LARGE, Failure.MALFORMED_BODY, Failure.ALL_AT_LIMIT}) {
            assertFalse(f.blamesNode(), f + " is not the node's fault");
        }
    }

    @Test
    void countingTicksTheTimeoutKindAndMarksClientFaults() {
        Cluster cluster = new Cluster(Nodes.cluster("{ name: c }"), Nodes.withWeights(1), new DynamicRoundRobin(), new AtomicInteger(), 0);
        RequestContext rc = new RequestContext("10.1.1.1", false, false, 0);
        Refusals refusals = new Refusals();
        rc.countRefusalsIn(refusals);

        Failure.CONNECT_TIMEOUT.count(cluster, rc);
        Failure.RESPONSE_TIMEOUT.count(cluster, rc);
        Failure.REQUEST_TIMEOUT.count(cluster, rc);
        Failure.REQUEST_NOT_RECEIVED.count(cluster, rc);
        assertEquals(1, cluster.timeouts(Cluster.Timeout.CONNECT));
        assertEquals(1, cluster.timeouts(Cluster.Timeout.RESPONSE));
        assertEquals(2, cluster.timeouts(Cluster.Timeout.REQUEST));
        assertNull(rc.refusal(), "a slow client is no refusal");
        assertTrue(rc.closeAfterReply(true), "but its connection closes");

        RequestContext other = new RequestContext("10.1.1.2", false, false, 0);
        other.countRefusalsIn(refusals);
        Failure.BODY_TOO_LARGE.count(cluster, other);
        assertEquals("hygiene", other.refusal());
        assertEquals(1, refusals.get("hygiene"));
    }
}
