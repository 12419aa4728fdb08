package dev.sluice.core.http;

/**
 * An in-band message from {@link HeadGuardHandler}: the next request's head was refused before it
 * reached the codec. It passes the codec and the flow-control queue untouched, so it is answered in
 * order, after any earlier request on the connection. Immutable.
 */
public record MalformedRequest(String reason) {
}
