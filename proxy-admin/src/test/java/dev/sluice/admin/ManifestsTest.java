package dev.sluice.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.config.load.YamlConfigLoader;
import dev.sluice.config.model.ProxyConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Kubernetes manifests in {@code docker/k8s}, parsed, with the invariants the deployment relies
 * on checked so they cannot rot: every file the kustomization lists exists and parses, the admin
 * Service is ClusterIP and the NetworkPolicy keeps its port in-cluster, the probes target the admin
 * port, the pod is non-root with a read-only root file system, the grace period exceeds the drain
 * timeout, the rollout keeps capacity, and the ConfigMap's {@code sluice.yaml} passes {@code --check}.
 */
class ManifestsTest {

    private static final Path K8S = Path.of("../docker/k8s");
    private static final List<Map<String, Object>> docs = new ArrayList<>();

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void parse() throws Exception {
        Map<String, Object> kustomization = (Map<String, Object>) yaml().load(Files.readString(K8S.resolve("kustomization.yaml")));
        List<String> resources = (List<String>) kustomization.get("resources");
        try (var files = Files.list(K8S)) {
            List<String> onDisk = files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("kustomization.yaml")).sorted().toList();
            assertEquals(onDisk, resources.stream().sorted().toList(), "kustomization.yaml lists every manifest");
        }
        for (String r : resources) {
            for (Object doc : yaml().loadAll(Files.readString(K8S.resolve(r)))) {
                Map<String, Object> d = (Map<String, Object>) doc;
                assertNotNull(d.get("apiVersion"), r);
                assertNotNull(d.get("kind"), r);
                docs.add(d);
            }
        }
    }

    private static Yaml yaml() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }

    private static Map<String, Object> find(String kind, String name) {
        return docs.stream().filter(d -> kind.equals(d.get("kind")) && name.equals(get(d, "metadata", "name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    @SuppressWarnings("unchecked")
    private static Object get(Object node, Object... path) {
        Object at = node;
        for (Object step : path) {
            at = step instanceof Integer i ? ((List<Object>) at).get(i) : ((Map<String, Object>) at).get(step);
            if (at == null) {
                return null;
            }
        }
        return at;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sluiceContainer() {
        List<Map<String, Object>> containers = (List<Map<String, Object>>) get(find("Deployment", "sluice"), "spec", "template", "spec",
                "containers");
        return containers.stream().filter(c -> "sluice".equals(c.get("name"))).findFirst().orElseThrow();
    }

    /** The ConfigMap's sluice.yaml as the init container renders it. */
    private static String renderedConfig() {
        String text = (String) get(find("ConfigMap", "sluice"), "data", "sluice.yaml");
        assertTrue(text.contains("${POD_IP}:9901"), "the admin port binds the pod IP");
        return text.replace("${POD_IP}", "10.1.2.3");
    }

    @Test
    void theAdminServiceIsClusterIpAndOnlyScrapersReachItsPort() {
        assertEquals("ClusterIP", get(find("Service", "sluice-admin"), "spec", "type"));
        assertEquals("admin", get(find("Service", "sluice-admin"), "spec", "ports", 0, "targetPort"));
        Map<String, Object> policy = find("NetworkPolicy", "sluice");
        assertEquals(List.of("Ingress"), get(policy, "spec", "policyTypes"));
        List<?> rules = (List<?>) get(policy, "spec", "ingress");
        for (Object rule : rules) {
            List<?> ports = (List<?>) get(rule, "ports");
            boolean admin = ports.stream().anyMatch(p -> Objects.equals(get(p, "port"), 9901));
            if (admin) {
                List<?> from = (List<?>) get(rule, "from");
                assertTrue(from != null && !from.isEmpty(), "the admin port admits named peers only: " + rule);
                assertNotNull(get(from.get(0), "namespaceSelector"), rule.toString());
            }
        }
        assertEquals("sluice-admin", get(find("ServiceMonitor", "sluice"), "spec", "selector", "matchLabels", "app"));
    }

    @Test
    void probesTargetTheAdminPort() {
        Map<String, Object> c = sluiceContainer();
        assertEquals("/health/ready", get(c, "readinessProbe", "httpGet", "path"));
        assertEquals("admin", get(c, "readinessProbe", "httpGet", "port"));
        assertEquals("/health/live", get(c, "livenessProbe", "httpGet", "path"));
        assertEquals("admin", get(c, "livenessProbe", "httpGet", "port"));
        boolean adminPort = ((List<?>) c.get("ports")).stream()
                .anyMatch(p -> "admin".equals(get(p, "name")) && Objects.equals(get(p, "containerPort"), 9901));
        assertTrue(adminPort, "the admin port is 9901, as the configuration binds it");
        assertTrue(renderedConfig().contains("10.1.2.3:9901"));
    }

    @Test
    void everyContainerIsNonRootWithAReadOnlyRootFileSystem() {
        for (Map<String, Object> d : docs) {
            if (!"Deployment".equals(d.get("kind"))) {
                continue;
            }
            Object pod = get(d, "spec", "template", "spec");
            assertEquals(true, get(pod, "securityContext", "runAsNonRoot"), d.toString());
            assertNotEquals0((Integer) get(pod, "securityContext", "runAsUser"));
            List<Object> all = new ArrayList<>((List<?>) get(pod, "containers"));
            Object init = get(pod, "initContainers");
            if (init != null) {
                all.addAll((List<?>) init);
            }
            for (Object c : all) {
                assertEquals(true, get(c, "securityContext", "readOnlyRootFilesystem"), c.toString());
                assertEquals(false, get(c, "securityContext", "allowPrivilegeEscalation"), c.toString());
                assertNotNull(get(c, "resources", "requests"), c.toString());
                assertNotNull(get(c, "resources", "limits"), c.toString());
            }
        }
    }

    private static void assertNotEquals0(Integer uid) {
        assertTrue(uid != null && uid != 0, "a fixed non-root uid: " + uid);
    }

    @Test
    void theGracePeriodOutlastsTheDrainAndTheRolloutKeepsCapacity() throws Exception {
        Map<String, Object> deployment = find("Deployment", "sluice");
        ProxyConfig config = YamlConfigLoader.load(renderedConfig(), "configmap sluice.yaml").config();
        int grace = (Integer) get(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds");
        assertTrue(grace > config.server().drainTimeout().toSeconds(), grace + " s against drainTimeout " + config.server().drainTimeout());
        String preStop = String.join(" ", (List<String>) get(sluiceContainer(), "lifecycle", "preStop", "exec", "command"));
        assertTrue(preStop.contains("POST") && preStop.contains("/drain"), "preStop drains before SIGTERM: " + preStop);
        assertEquals(0, get(deployment, "spec", "strategy", "rollingUpdate", "maxUnavailable"));
        List<?> spread = (List<?>) get(deployment, "spec", "template", "spec", "topologySpreadConstraints");
        assertEquals(List.of("topology.kubernetes.io/zone", "kubernetes.io/hostname"), spread.stream().map(s -> get(s, "topologyKey")).toList());
        assertNotNull(get(find("PodDisruptionBudget", "sluice"), "spec", "maxUnavailable"));
        List<?> metrics = (List<?>) get(find("HorizontalPodAutoscaler", "sluice"), "spec", "metrics");
        assertEquals(65, get(metrics.get(0), "resource", "target", "averageUtilization"));
        assertEquals("Pods", get(metrics.get(1), "type"));
    }

    @Test
    void theConfigMapPassesCheckAndPointsAtTheRedisService(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, renderedConfig());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--check", file.toString()}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        ProxyConfig config = YamlConfigLoader.load(file).config();
        String uri = config.rateLimits().redis().uri().get(0);
        String service = (String) get(find("Service", "sluice-redis"), "metadata", "name");
        assertEquals("redis://" + service + ":" + get(find("Service", "sluice-redis"), "spec", "ports", 0, "port"), uri);
        assertFalse(config.admin().bind().isWildcard(), "the admin port never binds 0.0.0.0");
    }
}
