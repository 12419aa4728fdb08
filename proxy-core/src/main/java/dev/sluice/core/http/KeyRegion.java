package dev.sluice.core.http;

import net.openhft.hashing.LongHashFunction;

/**
 * A key found in a request: {@code text[start, end)}. Reused per channel, so finding a key does
 * not allocate; {@link #toString()} copies it out when a copy is really needed. Event-loop confined.
 */
public final class KeyRegion {

    private static final LongHashFunction XX = LongHashFunction.xx();

    private String text = "";
    private int start;
    private int end;

    KeyRegion set(String text, int start, int end) {
        this.text = text;
        this.start = start;
        this.end = end;
        return this;
    }

    public String text() {
        return text;
    }

    public int start() {
        return start;
    }

    public int end() {
        return end;
    }

    public int length() {
        return end - start;
    }

    /** xxHash64 of the key's characters. */
    public long hash() {
        return XX.hashChars(text, start, end - start);
    }

    /** xxHash64 of a whole string, the same function as {@link #hash()}. */
    public static long hash(String s) {
        return XX.hashChars(s);
    }

    @Override
    public String toString() {
        return text.substring(start, end);
    }
}
