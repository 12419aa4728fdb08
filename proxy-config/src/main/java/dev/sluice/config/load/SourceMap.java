package dev.sluice.config.load;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The line of every key path that was present in the file. Paths that were not present (their
 * default applied) resolve to the line of their nearest present ancestor, so a problem found in
 * a default still points somewhere useful. Immutable once loading is done.
 */
public final class SourceMap {

    /** For configuration built in code: no lines. */
    public static final SourceMap EMPTY = new SourceMap(Map.of());

    private final Map<String, Integer> lines;

    SourceMap(Map<String, Integer> lines) {
        this.lines = Collections.unmodifiableMap(new LinkedHashMap<>(lines));
    }

    /** The 1-based line of {@code path} or of its nearest present ancestor; 0 when unknown. */
    public int line(String path) {
        String p = path;
        while (!p.isEmpty()) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            p = parent(p);
        }
        return 0;
    }

    /** Whether the key at {@code path} was written in the file. */
    public boolean isPresent(String path) {
        return lines.containsKey(path);
    }

    /** Every key path written in the file, in file order. */
    public Set<String> presentPaths() {
        return lines.keySet();
    }

    static String parent(String path) {
        int end = path.length();
        if (path.endsWith("]")) {
            return path.substring(0, path.lastIndexOf('['));
        }
        int dot = path.lastIndexOf('.', end - 1);
        return dot < 0 ? "" : path.substring(0, dot);
    }
}
