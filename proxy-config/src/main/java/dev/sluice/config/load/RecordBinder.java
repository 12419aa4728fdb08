package dev.sluice.config.load;

import dev.sluice.config.ConfigProblem;
import dev.sluice.config.model.ByteSize;
import dev.sluice.config.model.HostPort;
import dev.sluice.config.model.Key;
import dev.sluice.config.model.Rate;
import dev.sluice.config.model.YamlName;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Binds a snakeyaml node tree onto the immutable model records. The YAML key of a record
 * component is its name; {@link Key} gives its default, bounds and whether it is required.
 *
 * <p>Implementation notes: binding never stops at the first problem. A value that cannot be
 * bound is reported with its path and line and replaced by a neutral placeholder so that the rest
 * of the file is still bound and checked, and the caller gets every problem of the file at once.
 * The binder is single-use and not thread-safe; it runs only while loading.
 */
final class RecordBinder {

    private final List<ConfigProblem> problems = new ArrayList<>();
    private final Map<String, Integer> lines = new LinkedHashMap<>();

    List<ConfigProblem> problems() {
        return problems;
    }

    SourceMap sourceMap() {
        return new SourceMap(lines);
    }

    /** Binds {@code root} (a mapping, or null for an empty file) as {@code type}. */
    <T extends Record> T bindRoot(Node root, Class<T> type) {
        return type.cast(bindRecord(root, type, ""));
    }

    private Object bind(Node node, Type type, String path, Key key) {
        Class<?> raw = rawClass(type);
        if (raw.isRecord() && !isScalarRecord(raw)) {
            return bindRecord(node, raw, path);
        }
        if (raw == List.class) {
            return bindList(node, typeArgument(type, 0), path, key);
        }
        if (raw == Map.class) {
            return bindMap(node, typeArgument(type, 1), path, key);
        }
        if (!(node instanceof ScalarNode scalar)) {
            return fail(path, node, "expected " + describe(raw) + ", found " + nodeKind(node), raw);
        }
        try {
            Object value = scalar(scalar.getValue(), raw);
            checkBounds(value, key, path, node);
            return value;
        } catch (IllegalArgumentException e) {
            return fail(path, node, e.getMessage(), raw);
        }
    }

    private Object bindRecord(Node node, Class<?> type, String path) {
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        RecordComponent[] components = type.getRecordComponents();
        if (node != null && !isNull(node)) {
            if (!(node instanceof MappingNode mapping)) {
                fail(path, node, "expected a mapping of keys, found " + nodeKind(node), type);
            } else {
                for (NodeTuple tuple : mapping.getValue()) {
                    String name = keyName(tuple.getKeyNode());
                    String childPath = join(path, name);
                    if (component(components, name) == null) {
                        problem(childPath, tuple.getKeyNode(), "unknown key (expected one of: " + names(components) + ")");
                    } else if (entries.putIfAbsent(name, tuple) != null) {
                        problem(childPath, tuple.getKeyNode(), "duplicate key");
                    } else {
                        lines.put(childPath, line(tuple.getKeyNode()));
                    }
                }
            }
        }
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            Key key = c.getAnnotation(Key.class);
            if (key == null) {
                throw new IllegalStateException(type.getName() + "." + c.getName() + " has no @Key");
            }
            types[i] = c.getType();
            String childPath = join(path, c.getName());
            NodeTuple tuple = entries.get(c.getName());
            Node value = tuple == null || isNull(tuple.getValueNode()) ? null : tuple.getValueNode();
            if (value != null) {
                args[i] = bind(value, c.getGenericType(), childPath, key);
            } else if (key.required()) {
                Node at = tuple != null ? tuple.getKeyNode() : node;
                problem(childPath, at, "required key is missing");
                args[i] = placeholder(c.getGenericType());
            } else {
                args[i] = defaultValue(c, key, childPath);
            }
        }
        try {
            Constructor<?> ctor = type.getDeclaredConstructor(types);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            problem(path, node, String.valueOf(e.getCause().getMessage()));
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + type.getName(), e);
        }
    }

    private Object bindList(Node node, Type element, String path, Key key) {
        if (node instanceof ScalarNode) {
            // One value where a list is expected is a list of one (uri: redis://a, or a list of them).
            Object v = bind(node, element, path, key);
            return v == null ? List.of() : List.of(v);
        }
        if (!(node instanceof SequenceNode seq)) {
            return fail(path, node, "expected a list, found " + nodeKind(node), List.class);
        }
        List<Object> out = new ArrayList<>();
        List<Node> items = seq.getValue();
        for (int i = 0; i < items.size(); i++) {
            String itemPath = path + "[" + i + "]";
            lines.put(itemPath, line(items.get(i)));
            Object v = bind(items.get(i), element, itemPath, key);
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    private Object bindMap(Node node, Type valueType, String path, Key key) {
        if (!(node instanceof MappingNode mapping)) {
            return fail(path, node, "expected a mapping, found " + nodeKind(node), Map.class);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String name = keyName(tuple.getKeyNode());
            String childPath = join(path, name);
            if (out.containsKey(name)) {
                problem(childPath, tuple.getKeyNode(), "duplicate key");
                continue;
            }
            lines.put(childPath, line(tuple.getKeyNode()));
            Object v = bind(tuple.getValueNode(), valueType, childPath, key);
            if (v != null) {
                out.put(name, v);
            }
        }
        return out;
    }

    private Object defaultValue(RecordComponent c, Key key, String path) {
        Class<?> raw = c.getType();
        if (!key.value().isEmpty() || (raw == String.class && key.absent().isEmpty())) {
            return scalar(key.value(), raw);
        }
        if (!key.absent().isEmpty()) {
            return null;
        }
        if (raw == List.class) {
            return List.of();
        }
        if (raw == Map.class) {
            return Map.of();
        }
        if (raw.isRecord()) {
            return bindRecord(null, raw, path);
        }
        throw new IllegalStateException(path + ": @Key needs a value or an absent text");
    }

    /** Converts scalar text to {@code type}; the default values in {@link Key} use the same path. */
    static Object scalar(String text, Class<?> type) {
        if (type == String.class) {
            return text;
        }
        if (type == int.class || type == Integer.class) {
            long v = parseLong(text, "a whole number");
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw Values.bad(text, "a whole number of at most 10 digits");
            }
            return (int) v;
        }
        if (type == long.class || type == Long.class) {
            return parseLong(text, "a whole number");
        }
        if (type == double.class || type == Double.class) {
            try {
                double d = Double.parseDouble(text.trim());
                if (!Double.isFinite(d)) {
                    throw Values.bad(text, "a finite number");
                }
                return d;
            } catch (NumberFormatException e) {
                throw Values.bad(text, "a number");
            }
        }
        if (type == boolean.class || type == Boolean.class) {
            if (text.equalsIgnoreCase("true")) {
                return true;
            }
            if (text.equalsIgnoreCase("false")) {
                return false;
            }
            throw Values.bad(text, "true or false");
        }
        if (type == Duration.class) {
            return Values.duration(text);
        }
        if (type == ByteSize.class) {
            return Values.size(text);
        }
        if (type == Rate.class) {
            return Values.rate(text);
        }
        if (type == HostPort.class) {
            return Values.hostPort(text);
        }
        if (type.isEnum() && YamlName.class.isAssignableFrom(type)) {
            StringJoiner names = new StringJoiner(", ");
            for (Object constant : type.getEnumConstants()) {
                String name = ((YamlName) constant).yamlName();
                if (name.equals(text)) {
                    return constant;
                }
                names.add(name);
            }
            throw Values.bad(text, names.toString());
        }
        throw new IllegalStateException("no scalar form for " + type.getName());
    }

    private void checkBounds(Object value, Key key, String path, Node node) {
        if (key == null || !(value instanceof Number n)) {
            return;
        }
        double d = n.doubleValue();
        if (d < key.min()) {
            throw new IllegalArgumentException(value + " (expected: >= " + bound(key.min()) + ")");
        }
        if (d > key.max()) {
            throw new IllegalArgumentException(value + " (expected: <= " + bound(key.max()) + ")");
        }
    }

    static String bound(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static long parseLong(String text, String expected) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw Values.bad(text, expected);
        }
    }

    /** Records written as one scalar in YAML rather than as a mapping. */
    static boolean isScalarRecord(Class<?> type) {
        return type == ByteSize.class || type == Rate.class || type == HostPort.class;
    }

    private Object fail(String path, Node node, String message, Class<?> type) {
        problem(path, node, message);
        return placeholder(type);
    }

    private void problem(String path, Node node, String message) {
        problems.add(new ConfigProblem(path, node == null ? lineOfNearest(path) : line(node), message));
    }

    private int lineOfNearest(String path) {
        return new SourceMap(lines).line(path);
    }

    /** A neutral value that lets binding go on after a problem has been reported. */
    private Object placeholder(Type type) {
        Class<?> raw = rawClass(type);
        if (raw == List.class) {
            return List.of();
        }
        if (raw == Map.class) {
            return Map.of();
        }
        if (raw == String.class) {
            return "";
        }
        if (raw == int.class || raw == long.class) {
            return raw == int.class ? (Object) 0 : (Object) 0L;
        }
        if (raw == double.class) {
            return 0.0;
        }
        if (raw == boolean.class) {
            return false;
        }
        if (raw == Duration.class) {
            return Duration.ZERO;
        }
        if (raw == ByteSize.class) {
            return ByteSize.ofBytes(0);
        }
        if (raw == Rate.class) {
            return new Rate(1, Duration.ofSeconds(1));
        }
        if (raw == HostPort.class) {
            return new HostPort("invalid", 0);
        }
        if (raw.isEnum()) {
            return raw.getEnumConstants()[0];
        }
        if (raw.isRecord()) {
            return quietly(raw);
        }
        return null;
    }

    /** Binds an empty section without recording problems of its own (its parent's problem was reported). */
    private Object quietly(Class<?> type) {
        int before = problems.size();
        Object v = bindRecord(null, type, "");
        while (problems.size() > before) {
            problems.remove(problems.size() - 1);
        }
        return v;
    }

    private static RecordComponent component(RecordComponent[] components, String name) {
        for (RecordComponent c : components) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static String names(RecordComponent[] components) {
        StringJoiner j = new StringJoiner(", ");
        for (RecordComponent c : components) {
            j.add(c.getName());
        }
        return j.toString();
    }

    private static String keyName(Node keyNode) {
        return keyNode instanceof ScalarNode s ? s.getValue() : "<" + nodeKind(keyNode) + ">";
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
    }

    private static String nodeKind(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return node == null ? "nothing" : "\"" + ((ScalarNode) node).getValue() + "\"";
    }

    static String describe(Class<?> raw) {
        if (raw == int.class || raw == Integer.class || raw == long.class) {
            return "a whole number";
        }
        if (raw == double.class) {
            return "a number";
        }
        if (raw == boolean.class) {
            return "true or false";
        }
        if (raw == Duration.class) {
            return "a duration";
        }
        if (raw == ByteSize.class) {
            return "a size";
        }
        if (raw == Rate.class) {
            return "a rate";
        }
        if (raw == HostPort.class) {
            return "host:port";
        }
        return raw.isEnum() ? "one of the names" : "a text value";
    }

    private static int line(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        throw new IllegalStateException("unsupported type " + type);
    }

    static Type typeArgument(Type type, int index) {
        return ((ParameterizedType) type).getActualTypeArguments()[index];
    }
}
