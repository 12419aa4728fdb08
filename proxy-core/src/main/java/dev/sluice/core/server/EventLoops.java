package dev.sluice.core.server;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.IdentityHashMap;
import java.util.Map;

/** Numbers the event loops of a group, so per-loop state (upstream pools) lives in plain arrays. Immutable. */
final class EventLoops {

    private final Map<EventExecutor, Integer> index = new IdentityHashMap<>();

    EventLoops(EventLoopGroup group) {
        for (EventExecutor e : group) {
            index.put(e, index.size());
        }
    }

    int size() {
        return index.size();
    }

    int indexOf(EventLoop loop) {
        Integer i = index.get(loop);
        if (i == null) {
            throw new IllegalArgumentException("event loop " + loop + " is not in this group");
        }
        return i;
    }
}
