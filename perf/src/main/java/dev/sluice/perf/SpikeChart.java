package dev.sluice.perf;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * The spike test's chart: above, the admitted requests' p50, p99 and p99.9 per second (log scale)
 * with the steady p99 and twice it; below, admitted and refused requests per second. The spike is
 * shaded.
 */
final class SpikeChart {

    private static final int W = 1000;
    private static final int PANEL = 260;
    private static final int LEFT = 70;
    private static final int TOP = 30;

    private SpikeChart() {
    }

    static void draw(List<OpenLoopClient.Second> s, int spikeFrom, int spikeTo, double steadyP99Ms, Path png) throws IOException {
        BufferedImage img = Charts.canvas(W, TOP + 2 * PANEL + 80);
        Graphics2D g = Charts.graphics(img);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int plotW = W - LEFT - 20;
        double xs = (double) plotW / Math.max(1, s.size());
        for (int panel = 0; panel < 2; panel++) {
            int y0 = TOP + panel * (PANEL + 40);
            g.setColor(new Color(0xeeeeee));
            g.fillRect(LEFT + (int) (spikeFrom * xs), y0, (int) ((spikeTo - spikeFrom) * xs), PANEL);
            g.setColor(Color.GRAY);
            g.drawRect(LEFT, y0, plotW, PANEL);
        }
        // Latency, log scale from 0.1 ms to 2000 ms.
        double lo = Math.log10(0.1);
        double hi = Math.log10(2000);
        ToDoubleFunction<Double> ly = ms -> TOP + PANEL - (Math.log10(Math.max(0.1, ms)) - lo) / (hi - lo) * PANEL;
        g.setColor(Color.DARK_GRAY);
        for (double ms : new double[] {0.1, 1, 10, 100, 1000}) {
            int y = (int) ly.applyAsDouble(ms);
            g.drawString(String.format(Locale.ROOT, "%s ms", ms < 1 ? "0.1" : Long.toString((long) ms)), 5, y + 4);
        }
        g.drawString("admitted latency per second (p50, p99, p99.9; dashed: steady p99 and 2x it); the spike shaded", LEFT, TOP - 10);
        dashed(g, (int) ly.applyAsDouble(steadyP99Ms), plotW);
        dashed(g, (int) ly.applyAsDouble(2 * steadyP99Ms), plotW);
        line(g, s, xs, x -> ly.applyAsDouble(x.admittedNanos.getValueAtPercentile(50) / 1e6), new Color(0x2ca02c));
        line(g, s, xs, x -> ly.applyAsDouble(x.admittedNanos.getValueAtPercentile(99) / 1e6), new Color(0x1f77b4));
        line(g, s, xs, x -> ly.applyAsDouble(x.admittedNanos.getValueAtPercentile(99.9) / 1e6), new Color(0xd62728));
        // Rates.
        int y1 = TOP + PANEL + 40;
        double max = 1;
        for (OpenLoopClient.Second x : s) {
            max = Math.max(max, Math.max(x.admitted, x.refused));
        }
        double top = max * 1.1;
        ToDoubleFunction<Double> ry = v -> y1 + PANEL - v / top * PANEL;
        g.setColor(Color.DARK_GRAY);
        g.drawString("requests per second: admitted (green), refused with 429 (orange), 5xx or unanswered (red)", LEFT, y1 - 10);
        for (int k = 0; k <= 4; k++) {
            double v = top * k / 4;
            g.drawString(String.format(Locale.ROOT, "%.0f", v), 5, (int) ry.applyAsDouble(v) + 4);
        }
        line(g, s, xs, x -> ry.applyAsDouble((double) x.admitted), new Color(0x2ca02c));
        line(g, s, xs, x -> ry.applyAsDouble((double) x.refused), new Color(0xff7f0e));
        line(g, s, xs, x -> ry.applyAsDouble((double) (x.serverErrors + x.failed)), new Color(0xd62728));
        g.setColor(Color.DARK_GRAY);
        g.drawString("seconds", W / 2, y1 + PANEL + 30);
        for (int t = 0; t < s.size(); t += 30) {
            g.drawString(Integer.toString(t), LEFT + (int) (t * xs), y1 + PANEL + 15);
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }

    private static void dashed(Graphics2D g, int y, int plotW) {
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
        g.drawLine(LEFT, y, LEFT + plotW, y);
        g.setStroke(new BasicStroke(1.5f));
    }

    private static void line(Graphics2D g, List<OpenLoopClient.Second> s, double xs, ToDoubleFunction<OpenLoopClient.Second> y, Color c) {
        g.setColor(c);
        g.setStroke(new BasicStroke(1.5f));
        for (int i = 1; i < s.size(); i++) {
            g.drawLine(LEFT + (int) ((i - 1) * xs), (int) y.applyAsDouble(s.get(i - 1)), LEFT + (int) (i * xs), (int) y.applyAsDouble(s.get(i)));
        }
    }
}
