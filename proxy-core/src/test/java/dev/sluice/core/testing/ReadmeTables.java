package dev.sluice.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tables of one section of the project's README, for tests that check what a table claims, so
 * the README cannot drift from what the code does. A cell written as one code span is given
 * without its backticks; escapes in it are the test's to read ({@link #bytes}).
 */
public final class ReadmeTables {

    /** One table: its header cells and its rows, each with the README line it is on. */
    public record Table(List<String> header, List<Row> rows) {
    }

    public record Row(int line, List<String> cells) {
        public String cell(int i) {
            return cells.get(i);
        }
    }

    private ReadmeTables() {
    }

    /** Every table between the heading {@code ## title} and the next heading of that level. */
    public static List<Table> of(String title) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int start = lines.indexOf("## " + title);
        if (start < 0) {
            throw new IllegalStateException("README.md has no section \"## " + title + "\"");
        }
        List<Table> tables = new ArrayList<>();
        List<String> header = null;
        List<Row> rows = null;
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            String l = lines.get(i);
            if (!l.startsWith("|")) {
                header = null;
                continue;
            }
            List<String> cells = cells(l);
            if (header == null) {
                header = cells;
                rows = new ArrayList<>();
                tables.add(new Table(header, rows));
            } else if (!cells.get(0).startsWith("---")) {
                rows.add(new Row(i + 1, cells));
            }
        }
        return tables;
    }

    private static List<String> cells(String line) {
        if (line.contains("\\|")) {
            throw new IllegalStateException("an escaped | in a README table is not read here: " + line);
        }
        List<String> out = new ArrayList<>();
        for (String c : line.substring(1, line.lastIndexOf('|')).split("\\|", -1)) {
            String t = c.strip();
            if (t.length() >= 2 && t.startsWith("`") && t.endsWith("`") && t.indexOf('`', 1) == t.length() - 1) {
                t = t.substring(1, t.length() - 1);
            }
            out.add(t);
        }
        return out;
    }

    /**
     * The bytes a table cell names: {@code \r}, {@code \n}, {@code \t}, {@code \\} and {@code \xNN}
     * are those bytes, {@code {N*c}} is N times the character c; the rest is ISO-8859-1.
     */
    public static byte[] bytes(String cell) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cell.length(); i++) {
            char c = cell.charAt(i);
            if (c == '\\' && i + 1 < cell.length()) {
                char e = cell.charAt(++i);
                switch (e) {
                    case 'r' -> b.append('\r');
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case '\\' -> b.append('\\');
                    case 'x' -> {
                        b.append((char) Integer.parseInt(cell.substring(i + 1, i + 3), 16));
                        i += 2;
                    }
                    default -> throw new IllegalArgumentException("unknown escape \\" + e + " in " + cell);
                }
            } else if (c == '{' && cell.indexOf('*', i) > i && cell.indexOf('}', i) == cell.indexOf('*', i) + 2) {
                int star = cell.indexOf('*', i);
                b.append(String.valueOf(cell.charAt(star + 1)).repeat(Integer.parseInt(cell.substring(i + 1, star))));
                i = star + 2;
            } else {
                b.append(c);
            }
        }
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
