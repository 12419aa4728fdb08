package dev.sluice.config.model;

public record HashConfig(
        @Key(doc = "where the hash key is read", absent = "the client IP") KeySource key,
        @Key(doc = "ring points per unit of weight", value = "160", min = 1, max = 10000) int virtualNodes,
        @Key(doc = "bounded loads: no node above this times the mean in-flight; 0 = plain hashing", value = "1.25", min = 0.0)
        double balanceFactor,
        @Key(doc = "longer keys, or keys outside [A-Za-z0-9._:-]: 400", value = "128", min = 1, max = 4096) int maxKeyLength,
        @Key(doc = "spread a key hotter than its node can take over the next ring nodes", absent = "off: every key stays on its node")
        HotKeysConfig hotKeys) {
}
