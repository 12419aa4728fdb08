package dev.sluice.core.balance;

import dev.sluice.core.upstream.Node;
import java.util.Arrays;
import java.util.List;
import net.openhft.hashing.LongHashFunction;

/**
 * An immutable xxHash64 ring: {@code virtualNodes x weight} points per node, each at the hash of
 * {@code "<address>#<i>"}, so a node's points depend only on its own address and a node that
 * joins or leaves moves only the keys of its own arcs (about 1/N of them).
 */
public final class HashRing {

    static final LongHashFunction XX = LongHashFunction.xx();

    final Node[] nodes;
    /** Sorted point hashes. */
    final long[] points;
    /** owners[i]: index into {@link #nodes} of the node owning points[i]. */
    final int[] owners;

    HashRing(List<Node> members, int virtualNodes) {
        nodes = members.toArray(new Node[0]);
        int total = 0;
        for (Node n : nodes) {
            total += virtualNodes * n.weight();
        }
        long[] packedHash = new long[total];
        int[] packedOwner = new int[total];
        int k = 0;
        for (int i = 0; i < nodes.length; i++) {
            String prefix = nodes[i].address() + "#";
            for (int v = 0; v < virtualNodes * nodes[i].weight(); v++) {
                packedHash[k] = XX.hashChars(prefix + v);
                packedOwner[k++] = i;
            }
        }
        Integer[] order = new Integer[total];
        for (int i = 0; i < total; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(packedHash[a], packedHash[b]));
        points = new long[total];
        owners = new int[total];
        for (int i = 0; i < total; i++) {
            points[i] = packedHash[order[i]];
            owners[i] = packedOwner[order[i]];
        }
    }

    /** Index of the first point at or clockwise after {@code hash}. */
    int locate(long hash) {
        int i = Arrays.binarySearch(points, hash);
        if (i < 0) {
            i = -i - 1;
        }
        return i == points.length ? 0 : i;
    }

    /** The node that owns {@code hash}, ignoring load. */
    public Node owner(long hash) {
        return nodes[owners[locate(hash)]];
    }

    /** Indices into {@link #nodes} of the first {@code k} distinct nodes clockwise from {@code hash}'s point, its owner first. */
    int[] successors(long hash, int k) {
        int[] out = new int[Math.min(k, nodes.length)];
        int found = 0;
        int start = locate(hash);
        for (int step = 0; step < points.length && found < out.length; step++) {
            int owner = owners[(start + step) % points.length];
            boolean seen = false;
            for (int j = 0; j < found && !seen; j++) {
                seen = out[j] == owner;
            }
            if (!seen) {
                out[found++] = owner;
            }
        }
        return found == out.length ? out : java.util.Arrays.copyOf(out, found);
    }

    /** The node at index {@code i} of this ring. */
    public Node node(int i) {
        return nodes[i];
    }

    boolean sameMembers(List<Node> members) {
        if (members.size() != nodes.length) {
            return false;
        }
        for (int i = 0; i < nodes.length; i++) {
            if (members.get(i) != nodes[i]) {
                return false;
            }
        }
        return true;
    }
}
