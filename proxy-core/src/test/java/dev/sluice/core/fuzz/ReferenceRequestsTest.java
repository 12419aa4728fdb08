package dev.sluice.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The fuzz test's oracle reads what it should: a wrong oracle would make the fuzz test meaningless. */
class ReferenceRequestsTest {

    private final ReferenceRequests ref = new ReferenceRequests(16384, 1 << 20);

    @Test
    void wellFormedRequestsAreRead() {
        ReferenceRequests.Parse p = ref.parse("GET /r HTTP/1.1\r\nX-Fuzz-Case: a-0\r\nHost: t\r\n\r\n"
                + "POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
                + "PUT /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2;x=1\r\nab\r\n01\r\nc\r\n0\r\nX-T: 1\r\n\r\n");
        assertEquals("end", p.stop());
        assertEquals(3, p.requests().size());
        assertEquals("abc", p.requests().get(1).body());
        assertEquals("abc", p.requests().get(2).body());
        assertEquals(1, p.requests().get(2).trailers().size());
    }

    @Test
    void theFirstBadRequestStopsTheReading() {
        ReferenceRequests.Parse p = ref.parse("GET /r HTTP/1.1\r\nHost: t\r\n\r\nGET /x HTTP/1.1\r\nHost: t\r\nHost: u\r\n\r\n");
        assertEquals(1, p.requests().size());
        assertTrue(p.invalid(), p.stop());
        assertTrue(ref.parse("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n").invalid());
        assertTrue(ref.parse("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5, 5\r\n\r\nhello").invalid());
        assertTrue(ref.parse("GET /a\u0001 HTTP/1.1\r\nHost: t\r\n\r\n").invalid());
        assertEquals("incomplete body", ref.parse("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhel").stop());
    }
}
