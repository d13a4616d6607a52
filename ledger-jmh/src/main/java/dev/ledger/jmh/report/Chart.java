package dev.ledger.jmh.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;

/** The throughput chart of the report (JFreeChart, rendered headless to PNG). */
final class Chart {
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd)
    };

    private Chart() {}

    /**
     * Transfers per second against threads, one line per design.
     *
     * @param series design name to (threads to transfers/s), in legend order; NaN values are left out
     */
    static void throughput(File png, String title, List<Integer> threads, Map<String, Map<Integer, Double>> series)
            throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, Map<Integer, Double>> s : series.entrySet()) {
            for (int t : threads) {
                Double v = s.getValue().get(t);
                if (v != null && !v.isNaN()) {
                    data.addValue(v, s.getKey(), Integer.toString(t));
                }
            }
        }
        JFreeChart chart = ChartFactory.createLineChart(
                title,
                "client threads (pool of the same size for all)",
                "transfers / second",
                data,
                PlotOrientation.VERTICAL,
                true,
                false,
                false);
        chart.setBackgroundPaint(Color.WHITE);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinesVisible(true);
        NumberAxis range = (NumberAxis) plot.getRangeAxis();
        range.setAutoRangeIncludesZero(true);
        LineAndShapeRenderer renderer = (LineAndShapeRenderer) plot.getRenderer();
        renderer.setDefaultShapesVisible(true);
        for (int i = 0; i < series.size(); i++) {
            renderer.setSeriesPaint(i, COLORS[i % COLORS.length]);
            renderer.setSeriesStroke(i, new BasicStroke(i == 0 ? 3f : 2f));
        }
        ChartUtils.saveChartAsPNG(png, chart, 900, 520);
    }
}
