package dev.sluice.core.http1;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;

/**
 * The byte classes of RFC 9110/9112 that the decoders check every byte of a head against.
 * Stateless; the tables are filled once and never written again.
 */
final class Syntax {

    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HTAB = '\t';

    private static final boolean[] TCHAR = new boolean[256];
    private static final boolean[] FIELD_VCHAR = new boolean[256];
    private static final boolean[] TARGET = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        for (int c = 0x21; c <= 0x7e; c++) {
            FIELD_VCHAR[c] = true;
            TARGET[c] = true;
        }
        for (int c = 0x80; c <= 0xff; c++) {
            FIELD_VCHAR[c] = true; // obs-text: kept byte for byte, never interpreted
        }
    }

    private Syntax() {
    }

    /** A token character: the bytes of methods, header names and chunk extension names. */
    static boolean tchar(byte b) {
        return TCHAR[b & 0xff];
    }

    /** A byte a field value may hold besides SP and HTAB: VCHAR or obs-text. */
    static boolean fieldVchar(byte b) {
        return FIELD_VCHAR[b & 0xff];
    }

    /** A byte a request-target may hold: visible ASCII only (no control, space, DEL or non-ASCII byte). */
    static boolean targetChar(byte b) {
        return TARGET[b & 0xff];
    }

    static boolean ows(byte b) {
        return b == SP || b == HTAB;
    }

    /** The bytes {@code [from, to)} of {@code in} as an AsciiString of their own. */
    static AsciiString ascii(ByteBuf in, int from, int to) {
        byte[] b = new byte[to - from];
        in.getBytes(from, b);
        return new AsciiString(b, false);
    }

    /** Whether the bytes of {@code in} from {@code from} on are exactly those of {@code s}. */
    static boolean startsWith(ByteBuf in, int from, AsciiString s) {
        for (int i = 0; i < s.length(); i++) {
            if (in.getByte(from + i) != s.byteAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code [from, to)} of {@code in} equals {@code s}, ignoring ASCII case. */
    static boolean equalsIgnoreCase(ByteBuf in, int from, int to, AsciiString s) {
        if (to - from != s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            byte b = in.getByte(from + i);
            if (b >= 'A' && b <= 'Z') {
                b += 32;
            }
            byte c = s.byteAt(i);
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (b != c) {
                return false;
            }
        }
        return true;
    }

    /**
     * A chunk-size line without its CRLF (RFC 9112 section 7.1): hex digits (leading zeros are
     * fine), then extensions {@code *( BWS ";" BWS token [ BWS "=" BWS ( token / quoted-string ) ] )},
     * which are checked and ignored. Returns the size, {@link #MALFORMED} or {@link #TOO_LARGE}
     * (more than 63 bits: no body limit can allow it, and a parser that wrapped it would read a
     * small size where the sender meant a huge one).
     */
    static long chunkSize(ByteBuf in, int from, int to) {
        int i = from;
        while (i < to && in.getByte(i) == '0') {
            i++;
        }
        boolean digits = i > from;
        long size = 0;
        int significant = 0;
        for (int d; i < to && (d = Character.digit(in.getByte(i), 16)) >= 0; i++) {
            if (++significant > 15 && (significant > 16 || size >= 1L << 59)) {
                return TOO_LARGE;
            }
            size = size << 4 | d;
            digits = true;
        }
        if (!digits) {
            return MALFORMED;
        }
        while (i < to) {
            int j = skipOws(in, i, to);
            if (j == to || in.getByte(j) != ';') {
                return MALFORMED; // whitespace not followed by an extension, or a stray byte
            }
            j = skipOws(in, j + 1, to);
            int name = j;
            while (j < to && tchar(in.getByte(j))) {
                j++;
            }
            if (j == name) {
                return MALFORMED;
            }
            int k = skipOws(in, j, to);
            if (k < to && in.getByte(k) == '=') {
                k = skipOws(in, k + 1, to);
                j = k < to && in.getByte(k) == '"' ? quotedStringEnd(in, k, to) : tokenEnd(in, k, to);
                if (j < 0) {
                    return MALFORMED;
                }
            }
            i = j;
        }
        return size;
    }

    static final long MALFORMED = -1;
    static final long TOO_LARGE = -2;

    private static int skipOws(ByteBuf in, int i, int to) {
        while (i < to && ows(in.getByte(i))) {
            i++;
        }
        return i;
    }

    private static int tokenEnd(ByteBuf in, int i, int to) {
        int start = i;
        while (i < to && tchar(in.getByte(i))) {
            i++;
        }
        return i == start ? -1 : i;
    }

    /** The index after the closing quote of the quoted-string opening at {@code i}, or -1. */
    private static int quotedStringEnd(ByteBuf in, int i, int to) {
        for (i++; i < to; i++) {
            byte b = in.getByte(i);
            if (b == '"') {
                return i + 1;
            }
            if (b == '\\') {
                if (++i == to || !(ows(in.getByte(i)) || fieldVchar(in.getByte(i)))) {
                    return -1;
                }
            } else if (!(ows(b) || fieldVchar(b))) {
                return -1;
            }
        }
        return -1;
    }
}
