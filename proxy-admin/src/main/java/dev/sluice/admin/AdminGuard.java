package dev.sluice.admin;

import dev.sluice.config.model.AdminConfig;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;

/**
 * Who may use the admin port. Binding it to an internal address is not enough: a web page in a
 * browser on the same host can reach {@code 127.0.0.1:9901} too, by a cross-site form POST (CSRF)
 * or by a name it re-points at the loopback address (DNS rebinding). So:
 * <ul>
 *   <li>{@code Host} must name the admin port itself: the address the client connected to, a
 *       loopback address, {@code localhost}, the bind host, or one of {@code admin.allowedHosts}
 *       (421 otherwise, the answer for a request sent to the wrong server);</li>
 *   <li>an {@code Origin} other than the admin port's own, or {@code Sec-Fetch-Site: cross-site},
 *       is refused on every endpoint (403);</li>
 *   <li>a {@code POST} needs {@code Authorization: Bearer <admin.token>} when a token is set
 *       (401), and without a token is taken only from a peer on this host: loopback, or the very
 *       address the client connected to, as a pod's own {@code preStop} hook does (403).</li>
 * </ul>
 * Stateless apart from the configuration it is asked with.
 */
final class AdminGuard {

    /** A refusal: the status and its one-line reason. */
    record Refusal(HttpResponseStatus status, String reason) {
    }

    private AdminGuard() {
    }

    /**
     * @param host the {@code Host} header, or null
     * @param origin the {@code Origin} header, or null
     * @param fetchSite the {@code Sec-Fetch-Site} header, or null
     * @param authorization the {@code Authorization} header, or null
     * @param peer the client's address
     * @param local the address the client connected to
     * @return why the request is refused, or null when it may go on
     */
    static @Nullable Refusal check(AdminConfig admin, boolean post, @Nullable String host, @Nullable String origin,
            @Nullable String fetchSite, @Nullable String authorization, InetAddress peer, InetAddress local) {
        if (host != null && !allowedHost(admin, hostPart(host), local)) {
            return new Refusal(HttpResponseStatus.MISDIRECTED_REQUEST,
                    "host " + host + " is not this admin port's (its address, localhost or admin.allowedHosts)");
        }
        if (origin != null && (host == null || !origin.equalsIgnoreCase("http://" + host))) {
            return new Refusal(HttpResponseStatus.FORBIDDEN, "cross-site request from origin " + origin + " refused");
        }
        if (fetchSite != null && fetchSite.equalsIgnoreCase("cross-site")) {
            return new Refusal(HttpResponseStatus.FORBIDDEN, "cross-site request refused");
        }
        if (!post) {
            return null;
        }
        String token = admin.token();
        if (!token.isEmpty()) {
            byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
            return authorization != null && MessageDigest.isEqual(expected, authorization.getBytes(StandardCharsets.UTF_8))
                    ? null : new Refusal(HttpResponseStatus.UNAUTHORIZED, "missing or wrong bearer token (admin.token)");
        }
        return peer.isLoopbackAddress() || peer.equals(local) ? null
                : new Refusal(HttpResponseStatus.FORBIDDEN, "POST from " + peer.getHostAddress()
                        + " refused: without admin.token only this host may POST");
    }

    /** The host of a Host value, without its port or IPv6 brackets. */
    private static String hostPart(String host) {
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            return close < 0 ? host : host.substring(1, close);
        }
        int colon = host.lastIndexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    private static boolean allowedHost(AdminConfig admin, String host, InetAddress local) {
        if (host.equalsIgnoreCase("localhost") || host.equalsIgnoreCase(admin.bind().host())) {
            return true;
        }
        for (String name : admin.allowedHosts()) {
            if (name.equalsIgnoreCase(host)) {
                return true;
            }
        }
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
        if (literal == null) {
            return false; // any other name may have been pointed at this address by someone else
        }
        try {
            InetAddress a = InetAddress.getByAddress(literal);
            return a.isLoopbackAddress() || a.equals(local);
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
