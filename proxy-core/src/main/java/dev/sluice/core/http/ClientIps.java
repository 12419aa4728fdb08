package dev.sluice.core.http;

import dev.sluice.config.validate.Cidr;
import io.netty.util.NetUtil;
import java.util.List;

/**
 * Who the client is. The socket peer, unless the peer is one of {@code server.trustedProxies}: then
 * the right-most {@code X-Forwarded-For} entry that is not a trusted proxy (what NGINX's
 * {@code real_ip_recursive} does). If every entry is trusted, the left-most; an entry that is not
 * an IP literal ends the walk and the peer stands. Immutable; no name is ever resolved.
 */
public final class ClientIps {

    /** Trusts nobody: the client is always the socket peer. */
    public static final ClientIps NONE = new ClientIps(List.of());

    private final Cidr[] trusted;

    public ClientIps(List<String> cidrs) {
        trusted = new Cidr[cidrs.size()];
        for (int i = 0; i < trusted.length; i++) {
            trusted[i] = Cidr.parse(cidrs.get(i));
        }
    }

    public boolean isTrusted(byte[] address) {
        for (Cidr c : trusted) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The client for a request from {@code peerIp} (already known trusted) carrying {@code xff}. */
    public String fromForwardedFor(String peerIp, String xff) {
        int end = xff.length();
        String leftmost = peerIp;
        while (end > 0) {
            int comma = xff.lastIndexOf(',', end - 1);
            String entry = xff.substring(comma + 1, end).trim();
            byte[] bytes = NetUtil.createByteArrayFromIpAddressString(entry);
            if (bytes == null) {
                return peerIp;
            }
            if (!isTrusted(bytes)) {
                return entry;
            }
            leftmost = entry;
            end = comma < 0 ? 0 : comma;
        }
        return leftmost;
    }
}
