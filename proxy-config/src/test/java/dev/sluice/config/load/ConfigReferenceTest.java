package dev.sluice.config.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigReferenceTest {

    @Test
    void readmeReferenceMatchesTheRecords() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        assertEquals(ConfigReference.updateReadme(readme), readme,
                "README.md's configuration reference is stale; regenerate it with: java -cp proxy-config/target/classes dev.sluice.config.load.ConfigReference --update README.md");
    }

    @Test
    void everyKeyOfTheContractIsDocumented() {
        String table = ConfigReference.markdown();
        for (String key : new String[] {"`server.eventLoopThreads`", "`listeners[].tls.privateKey`",
                "`rateLimits.perPartition.overrides.<name>.burst`", "`clusters[].hash.key.pathSegment`",
                "`clusters[].circuitBreaker.openFor`", "`clusters[].retries.backoff.base`", "`accessLog.format`"}) {
            assertTrue(table.contains(key), key);
        }
    }
}
