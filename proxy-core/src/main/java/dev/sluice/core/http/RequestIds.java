package dev.sluice.core.http;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: a client's own id is kept when sane, otherwise 128 random bits in hex. */
final class RequestIds {

    static final int MAX_LENGTH = 128;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    static String generate() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] c = new char[32];
        fill(c, 0, r.nextLong());
        fill(c, 16, r.nextLong());
        return new String(c);
    }

    private static void fill(char[] c, int at, long bits) {
        for (int i = 15; i >= 0; i--) {
            c[at + i] = HEX[(int) (bits & 0xf)];
            bits >>>= 4;
        }
    }

    /** 1 to 128 characters of {@code [A-Za-z0-9._:-]}: safe to echo into headers and logs. */
    static boolean isSane(CharSequence id) {
        int n = id.length();
        if (n == 0 || n > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (!KeyExtractor.isKeyChar(id.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
