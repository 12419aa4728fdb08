package dev.sluice.core.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;

class GrpcTest {

    private static HttpHeaders with(String name, String value) {
        return new DefaultHttpHeaders().set(name, value);
    }

    @Test
    void aCallIsTheGrpcContentTypeAndItsVariants() {
        assertTrue(Grpc.isCall(with("content-type", "application/grpc")));
        assertTrue(Grpc.isCall(with("content-type", "application/grpc+proto")));
        assertTrue(Grpc.isCall(with("content-type", "Application/GRPC; charset=x")));
        assertFalse(Grpc.isCall(with("content-type", "application/grpc-web")), "gRPC-Web is another protocol");
        assertFalse(Grpc.isCall(with("content-type", "application/json")));
        assertFalse(Grpc.isCall(new DefaultHttpHeaders()));
    }

    @Test
    void sluicesHttpErrorsMapToTheStatusesTheIssueNames() {
        assertEquals(Grpc.RESOURCE_EXHAUSTED, Grpc.statusFor(HttpResponseStatus.TOO_MANY_REQUESTS));
        assertEquals(Grpc.UNAVAILABLE, Grpc.statusFor(HttpResponseStatus.SERVICE_UNAVAILABLE));
        assertEquals(Grpc.UNAVAILABLE, Grpc.statusFor(HttpResponseStatus.BAD_GATEWAY));
        assertEquals(Grpc.DEADLINE_EXCEEDED, Grpc.statusFor(HttpResponseStatus.GATEWAY_TIMEOUT));
        assertEquals(Grpc.UNIMPLEMENTED, Grpc.statusFor(HttpResponseStatus.NOT_FOUND));
        assertEquals(Grpc.UNKNOWN, Grpc.statusFor(HttpResponseStatus.EXPECTATION_FAILED));
    }

    @Test
    void onlyServerFailuresCountAgainstANode() {
        for (String code : new String[] {"2", "4", "12", "13", "14", "15"}) {
            assertTrue(Grpc.serverFailure(with("grpc-status", code)), code);
        }
        for (String code : new String[] {"0", "1", "3", "5", "7", "8", "16", "x"}) {
            assertFalse(Grpc.serverFailure(with("grpc-status", code)), code);
        }
        assertFalse(Grpc.serverFailure(new DefaultHttpHeaders()), "no status, no verdict");
    }

    @Test
    void grpcTimeoutIsReadInEveryUnit() {
        assertEquals(200_000_000L, Grpc.timeoutNanos(with("grpc-timeout", "200m")));
        assertEquals(3_000_000_000L, Grpc.timeoutNanos(with("grpc-timeout", "3S")));
        assertEquals(120_000_000_000L, Grpc.timeoutNanos(with("grpc-timeout", "2M")));
        assertEquals(3_600_000_000_000L, Grpc.timeoutNanos(with("grpc-timeout", "1H")));
        assertEquals(5_000L, Grpc.timeoutNanos(with("grpc-timeout", "5u")));
        assertEquals(7L, Grpc.timeoutNanos(with("grpc-timeout", "7n")));
        assertEquals(-1, Grpc.timeoutNanos(with("grpc-timeout", "123456789S")), "at most 8 digits");
        assertEquals(-1, Grpc.timeoutNanos(with("grpc-timeout", "10x")));
        assertEquals(-1, Grpc.timeoutNanos(with("grpc-timeout", "m")));
    }

    @Test
    void theMessageIsPercentEncoded() {
        assertEquals("no healthy node", Grpc.message("no healthy node"));
        assertEquals("100%25 caf%C3%A9%0A", Grpc.message("100% café\n"));
    }
}
