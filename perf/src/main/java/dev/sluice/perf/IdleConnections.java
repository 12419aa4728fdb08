package dev.sluice.perf;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The client of {@code perf/run.sh}'s memory case: opens {@code count} keep-alive connections to
 * a proxy, sends one request on each (HTTP/1.1, or h2c with prior knowledge), waits for every
 * response to begin arriving, prints {@code held N}, then holds the connections idle for
 * {@code holdSeconds} and closes them. Bounded in count and time.
 *
 * <pre>java -cp benchmarks.jar dev.sluice.perf.IdleConnections 127.0.0.1 19112 9000 h1 60</pre>
 */
public final class IdleConnections {

    private static final byte[] H1 = "GET /100 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private IdleConnections() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        boolean h2 = args[3].equals("h2c");
        long holdMillis = Long.parseLong(args[4]) * 1000;
        byte[] request = h2 ? h2cRequest() : H1;
        long deadline = System.currentTimeMillis() + 120_000;
        List<SocketChannel> open = new ArrayList<>(count);
        int answered = 0;
        try (Selector selector = Selector.open()) {
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            int next = 0;
            while (answered < count && System.currentTimeMillis() < deadline) {
                // at most 200 connects in flight, so the proxy's accept backlog is never the limit
                while (next < count && next - answered < 200) {
                    SocketChannel ch = SocketChannel.open();
                    ch.configureBlocking(false);
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    ch.connect(new InetSocketAddress(host, port));
                    ch.register(selector, SelectionKey.OP_CONNECT);
                    open.add(ch);
                    next++;
                }
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel ch = (SocketChannel) key.channel();
                    if (key.isConnectable()) {
                        ch.finishConnect();
                        ch.write(ByteBuffer.wrap(request));
                        key.interestOps(SelectionKey.OP_READ);
                    } else if (key.isReadable()) {
                        in.clear();
                        if (ch.read(in) > 0) {
                            key.interestOps(0); // answered: from now on it only sits there
                            answered++;
                        } else {
                            throw new IOException("connection " + open.indexOf(ch) + " closed before its response");
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
            System.out.println("held " + answered);
            System.out.flush();
            Thread.sleep(holdMillis); // the caller measures meanwhile, then ends this process (or the hold does)
        } finally {
            for (SocketChannel ch : open) {
                ch.close();
            }
        }
    }

    /** The HTTP/2 preface, an empty SETTINGS frame and one GET as HEADERS (END_STREAM, END_HEADERS) in HPACK without Huffman. */
    private static byte[] h2cRequest() {
        byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] settings = {0, 0, 0, 4, 0, 0, 0, 0, 0};
        ByteBuffer block = ByteBuffer.allocate(64);
        block.put((byte) 0x82); // :method GET
        block.put((byte) 0x86); // :scheme http
        literal(block, 0x44, "/100"); // :path, literal with indexing, name index 4
        literal(block, 0x41, "127.0.0.1"); // :authority, name index 1
        block.flip();
        int len = block.remaining();
        ByteBuffer all = ByteBuffer.allocate(preface.length + settings.length + 9 + len);
        all.put(preface).put(settings);
        all.put((byte) 0).put((byte) 0).put((byte) len).put((byte) 1).put((byte) 0x05).putInt(1);
        all.put(block);
        return all.array();
    }

    private static void literal(ByteBuffer b, int prefix, String value) {
        b.put((byte) prefix);
        b.put((byte) value.length());
        b.put(value.getBytes(StandardCharsets.US_ASCII));
    }
}
