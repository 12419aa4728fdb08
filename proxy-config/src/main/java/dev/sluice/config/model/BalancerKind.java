package dev.sluice.config.model;

/** The balancers a cluster can use. */
public enum BalancerKind implements YamlName {
    DRR("drr"),
    LEAST_CONNECTIONS("least-connections"),
    CONSISTENT_HASH("consistent-hash"),
    PEAK_EWMA("peak-ewma"),
    PREQUAL("prequal");

    private final String yamlName;

    BalancerKind(String yamlName) {
        this.yamlName = yamlName;
    }

    @Override
    public String yamlName() {
        return yamlName;
    }
}
