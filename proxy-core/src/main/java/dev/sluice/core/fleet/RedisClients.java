package dev.sluice.core.fleet;

import dev.sluice.config.model.RedisConfig;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** How the store's Lettuce client is set up: its threads, timeouts and reconnects, for one Redis or a Cluster. */
final class RedisClients {

    private RedisClients() {
    }

    /** One I/O and one computation thread, reconnecting quickly after an outage: at most a second between attempts, not Lettuce's 30 s. */
    static ClientResources resources() {
        return ClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
    }

    /** A Cluster client for a list of URIs, else one for the single URI (Sentinel included); commands end after {@code timeout}. */
    static AbstractRedisClient client(RedisConfig config, ClientResources resources) {
        SocketOptions socket = SocketOptions.builder().connectTimeout(Duration.ofMillis(Math.max(250, config.timeout().toMillis() * 4)))
                .keepAlive(true).tcpNoDelay(true).build();
        TimeoutOptions timeouts = TimeoutOptions.enabled(config.timeout());
        if (config.uri().size() > 1) {
            List<RedisURI> uris = new ArrayList<>();
            config.uri().forEach(u -> uris.add(RedisURI.create(u)));
            RedisClusterClient cluster = RedisClusterClient.create(resources, uris);
            // Accepted while a node's connection is being opened (Lettuce opens them on first use, and
            // would reject that first command); the timeout still ends every command, so nothing waits longer.
            cluster.setOptions(ClusterClientOptions.builder().socketOptions(socket).timeoutOptions(timeouts)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers()
                            .enablePeriodicRefresh(Duration.ofSeconds(30)).build())
                    .build());
            return cluster;
        } else {
            RedisClient single = RedisClient.create(resources, RedisURI.create(config.uri().get(0)));
            single.setOptions(ClientOptions.builder().socketOptions(socket).timeoutOptions(timeouts)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
            return single;
        }
    }
}
