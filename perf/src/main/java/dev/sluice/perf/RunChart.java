package dev.sluice.perf;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The chart of one {@code perf/run.sh} run: per case, each proxy's median req/s per busy proxy
 * core relative to NGINX's, and per protocol the RSS growth per idle connection relative to
 * HAProxy's. Reads the run's {@code runs.tsv} and {@code memory.tsv} (either may be missing).
 *
 * <pre>java -cp perf/target/benchmarks.jar dev.sluice.perf.RunChart runs.tsv memory.tsv out.png</pre>
 */
public final class RunChart {

    private static final List<String> PROXIES = List.of("nginx", "haproxy", "sluice", "sluice-b");
    private static final Color[] COLORS = {new Color(0x2ca02c), new Color(0x1f77b4), new Color(0xd62728), new Color(0xff7f0e)};

    private RunChart() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, Map<String, Double>> perCore = perCore(lines(Path.of(args[0])));
        Map<String, Map<String, Double>> memory = new LinkedHashMap<>();
        for (String[] f : lines(Path.of(args[1]))) {
            memory.computeIfAbsent(f[0], k -> new LinkedHashMap<>()).put(f[1], Double.parseDouble(f[5]));
        }
        perCore.values().removeIf(group -> !group.containsKey("nginx")); // a case without NGINX (h1-ingress) has nothing to be relative to
        draw(perCore, memory, Path.of(args[2]));
    }

    private static List<String[]> lines(Path file) throws IOException {
        List<String[]> out = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    out.add(line.split("\t", -1));
                }
            }
        }
        return out;
    }

    /** case -> proxy -> median of req/s over the proxy's CPU share. */
    private static Map<String, Map<String, Double>> perCore(List<String[]> runs) {
        Map<String, Map<String, List<Double>>> all = new LinkedHashMap<>();
        for (String[] f : runs) {
            if (f[2].equals("none")) {
                continue;
            }
            double rps = Double.parseDouble(f[3]);
            double share = Double.parseDouble(f[4]);
            all.computeIfAbsent(f[1], k -> new LinkedHashMap<>()).computeIfAbsent(f[2], k -> new ArrayList<>())
                    .add(share > 0 ? rps / share : rps);
        }
        Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
        all.forEach((c, byProxy) -> byProxy.forEach((p, v) -> {
            List<Double> s = new ArrayList<>(v);
            s.sort(null);
            int n = s.size();
            medians.computeIfAbsent(c, k -> new LinkedHashMap<>()).put(p, n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2);
        }));
        return medians;
    }

    private static void draw(Map<String, Map<String, Double>> perCore, Map<String, Map<String, Double>> memory, Path file)
            throws IOException {
        int w = 1100;
        int h = 460;
        BufferedImage img = Charts.canvas(w, h);
        Graphics2D g = Charts.graphics(img);
        groups(g, perCore, "nginx", 20, 760, "req/s per busy proxy core, relative to NGINX");
        groups(g, memory, "haproxy", 810, 270, "RSS per idle connection vs HAProxy");
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int shown = 0;
        for (int i = 0; i < PROXIES.size(); i++) {
            String proxy = PROXIES.get(i);
            if (perCore.values().stream().noneMatch(group -> group.containsKey(proxy))) {
                continue;
            }
            g.setColor(COLORS[i]);
            g.fillRect(30 + shown * 150, h - 30, 14, 14);
            g.setColor(Color.DARK_GRAY);
            g.drawString(proxy, 50 + shown * 150, h - 18);
            shown++;
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    /** One bar per proxy in each group, its height the ratio to {@code base}'s value in the group; 1.0 is drawn as a line. */
    private static void groups(Graphics2D g, Map<String, Map<String, Double>> values, String base, int x0, int width, String title) {
        int top = 50;
        int height = 320;
        double max = 1.2;
        for (Map<String, Double> group : values.values()) {
            Double b = group.get(base);
            for (double v : group.values()) {
                max = Math.max(max, b == null || b == 0 ? 0 : v / b);
            }
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        g.drawString(title, x0, 25);
        int groupWidth = values.isEmpty() ? width : width / values.size();
        int bar = Math.max(6, (groupWidth - 14) / PROXIES.size());
        int gi = 0;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (Map.Entry<String, Map<String, Double>> group : values.entrySet()) {
            Double b = group.getValue().get(base);
            int gx = x0 + gi * groupWidth;
            for (int pi = 0; pi < PROXIES.size(); pi++) {
                Double v = group.getValue().get(PROXIES.get(pi));
                if (v == null || b == null || b == 0) {
                    continue;
                }
                double ratio = v / b;
                int bh = (int) Math.round(height * ratio / max);
                int bx = gx + pi * bar;
                g.setColor(COLORS[pi]);
                g.fillRect(bx, top + height - bh, bar - 2, bh);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "%.2f", ratio), bx, top + height - bh - 3);
            }
            g.setColor(Color.DARK_GRAY);
            g.drawString(group.getKey(), gx, top + height + 16);
            gi++;
        }
        int one = top + height - (int) Math.round(height / max);
        g.setColor(Color.GRAY);
        g.drawLine(x0, one, x0 + width, one);
        g.drawLine(x0, top + height, x0 + width, top + height);
    }
}
