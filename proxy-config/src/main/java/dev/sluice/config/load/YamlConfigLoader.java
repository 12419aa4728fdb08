package dev.sluice.config.load;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.model.ProxyConfig;
import dev.sluice.config.validate.ConfigValidator;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Loads a configuration file: YAML syntax (snakeyaml, composing nodes only, so no object of any
 * class named in the file is ever built), binding onto the model records, then the
 * cross-field checks of {@link ConfigValidator}. Either every problem is thrown at once in a
 * {@link ConfigException}, or a valid {@link LoadedConfig} is returned.
 */
public final class YamlConfigLoader {

    /** Largest configuration file accepted. */
    static final int MAX_FILE_CHARS = 4 * 1024 * 1024;

    private YamlConfigLoader() {
    }

    public static LoadedConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(),
                    List.of(new ConfigProblem("", 0, "cannot read file: " + e)));
        }
        return load(text, file.toString());
    }

    public static LoadedConfig load(String yaml, String source) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // reported by the binder with their line, all at once
        options.setMaxAliasesForCollections(20);
        options.setNestingDepthLimit(40);
        options.setCodePointLimit(MAX_FILE_CHARS);
        Node root;
        try {
            root = new Yaml(options).compose(new StringReader(yaml));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new ConfigException(source, List.of(new ConfigProblem("", line, "not valid YAML: " + e.getProblem())));
        } catch (YAMLException e) {
            throw new ConfigException(source, List.of(new ConfigProblem("", 0, "not valid YAML: " + e.getMessage())));
        }
        RecordBinder binder = new RecordBinder();
        ProxyConfig config = binder.bindRoot(root, ProxyConfig.class);
        SourceMap lines = binder.sourceMap();
        List<ConfigProblem> problems = new ArrayList<>(binder.problems());
        if (config != null) {
            for (ConfigProblem p : ConfigValidator.validate(config, lines)) {
                if (!alreadyReported(binder.problems(), p.path())) {
                    problems.add(p);
                }
            }
        }
        problems.sort(Comparator.comparingInt(p -> p.line() == 0 ? Integer.MAX_VALUE : p.line()));
        if (!problems.isEmpty() || config == null) {
            throw new ConfigException(source, problems);
        }
        return new LoadedConfig(config, lines, source, yaml);
    }

    /**
     * A value the binder could not read was replaced by a placeholder; what the validator says
     * about that placeholder (an empty name, port 0) would only repeat the first problem.
     */
    private static boolean alreadyReported(List<ConfigProblem> bindProblems, String path) {
        for (ConfigProblem b : bindProblems) {
            if (path.equals(b.path()) || path.startsWith(b.path() + ".") || path.startsWith(b.path() + "[")) {
                return true;
            }
        }
        return false;
    }
}
