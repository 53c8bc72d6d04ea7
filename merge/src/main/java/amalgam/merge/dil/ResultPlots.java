package amalgam.merge.dil;

import amalgam.merge.adaptive.Granularity;
import amalgam.merge.algorithms.MergeMethod;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The report's PNG plots, drawn headless with XChart: accuracy on the domains seen per experience, as the mean
 * over seeds with a ± std band, fixed rows dashed, the chosen adaptive rows solid, the compared
 * parameterisation dotted, and the new-LoRA and joint-LoRA baselines (measured once, after the last experience)
 * as flat lines; and the traced merge's learned weights.
 */
final class ResultPlots {

    private static final int WIDTH = 1000, HEIGHT = 520;

    // Strokes of our own: XChart's dashes are too fine at two pixels to tell dashed from dotted.
    private static final BasicStroke SOLID = new BasicStroke(2.2f);
    private static final BasicStroke DASHED = stroke(10f, 6f);
    private static final BasicStroke DOTTED = stroke(2.5f, 4f);
    private static final BasicStroke DASH_DOT = stroke(12f, 4f, 2.5f, 4f);

    /** One colour per W / b_max position, the same in every plot, so "b_max=3" looks alike everywhere. */
    private static final Color[] COLOURS = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
            new Color(148, 103, 189), new Color(255, 127, 14), new Color(140, 86, 75)};

    private ResultPlots() {}

    /**
     * Writes accuracy-ALG.png for each learnable merge, accuracy-factors.png for lego, svd and cat, and
     * weights.png into {@code directory}; returns the file names.
     */
    static List<String> write(DilResults results, Path directory) throws IOException {
        System.setProperty("java.awt.headless", "true"); // no display on a server, none needed to render a PNG
        List<String> files = new ArrayList<>();
        Map<String, double[][]> curves = results.curves();
        for (MergeMethod kind : MergeMethod.learnable()) {
            String prefix = kind.reportName() + " ";
            files.add(accuracyPlot(results, curves, kind.reportName() + ": accuracy on the domains seen",
                    "accuracy-" + kind.reportName() + ".png", label -> label.startsWith(prefix), directory));
        }
        List<String> factorPrefixes = new ArrayList<>();
        for (FactorMerge merge : FactorMerge.values()) factorPrefixes.add(merge.cliName() + " ");
        files.add(accuracyPlot(results, curves, "lego, svd (rank " + results.config().rank() + ") and cat: accuracy "
                        + "on the domains seen", "accuracy-factors.png",
                label -> factorPrefixes.stream().anyMatch(label::startsWith), directory));
        files.add(weightsPlot(results, directory));
        return files;
    }

    private static String accuracyPlot(DilResults results, Map<String, double[][]> curves, String title, String file,
                                       Predicate<String> rows, Path directory) throws IOException {
        double[] experiences = experienceAxis(results.experiences());
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(title + " (mean ± std over " + results.seeds().size() + " seed(s))").xAxisTitle("experience")
                .yAxisTitle("accuracy (%)").build();
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0).setXAxisDecimalPattern("0")
                .setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE).setMarkerSize(6);
        String comparedActivation = results.config().adaptiveRows().get(1).recipe().activation().cliName();
        curves.forEach((label, stats) -> {
            if (!rows.test(label)) return;
            Color colour = COLOURS[positionOf(label, results) % COLOURS.length];
            BasicStroke line = label.contains(" fixed W=") ? DASHED
                    : label.contains(" adaptive " + comparedActivation + " ") ? DOTTED : SOLID;
            band(chart, label, experiences, stats, colour);
            XYSeries series = chart.addSeries(label, experiences, stats[0]);
            series.setLineColor(colour);
            series.setMarkerColor(colour);
            series.setLineStyle(line);
            series.setMarker(SeriesMarkers.CIRCLE);
        });
        for (String baseline : new String[] {"new_lora", "joint_lora"}) {
            double value = results.baseline(baseline).mean();
            double[] flat = new double[experiences.length];
            java.util.Arrays.fill(flat, value);
            XYSeries series = chart.addSeries(baseline + " (after the last experience)", experiences, flat);
            series.setLineColor(baseline.equals("joint_lora") ? Color.BLACK : Color.GRAY);
            series.setLineStyle(DASH_DOT);
            series.setMarker(SeriesMarkers.NONE);
        }
        BitmapEncoder.saveBitmap(chart, directory.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /** mean ± std as a translucent polygon behind the series (nothing with one seed). */
    private static void band(XYChart chart, String label, double[] x, double[][] stats, Color colour) {
        int n = x.length;
        boolean any = false;
        for (double s : stats[1]) any |= s > 0;
        if (!any) return;
        double[] bx = new double[2 * n], by = new double[2 * n];
        for (int t = 0; t < n; t++) {
            bx[t] = x[t];
            by[t] = stats[0][t] + stats[1][t];
            bx[2 * n - 1 - t] = x[t];
            by[2 * n - 1 - t] = stats[0][t] - stats[1][t];
        }
        XYSeries band = chart.addSeries(label + " ± std", bx, by);
        band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        band.setFillColor(new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 40));
        band.setLineColor(new Color(0, 0, 0, 0));
        band.setMarker(SeriesMarkers.NONE);
        band.setShowInLegend(false);
    }

    /** The index of the row's W or b_max among the study's values, which picks its colour. */
    private static int positionOf(String label, DilResults results) {
        int value = Integer.parseInt(label.substring(label.lastIndexOf('=') + 1));
        List<Integer> values = label.contains(" fixed W=") ? results.config().fixedWeights() : results.config().bMaxValues();
        return Math.max(0, values.indexOf(value));
    }

    private static String weightsPlot(DilResults results, Path directory) throws IOException {
        double[] experiences = experienceAxis(results.experiences());
        XYChart weights = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title((results.config().coefficients().granularity() == Granularity.ADAPTER ? "learned weights ("
                        : "learned weights, mean over modules (") + results.config().traceKind().cliName() + ", b_max="
                        + results.config().traceBMax() + ")")
                .xAxisTitle("experience").yAxisTitle("weight").build();
        weights.getStyler().setXAxisDecimalPattern("0");
        for (int adapter = 0; adapter < experiences.length; adapter++) {
            int points = experiences.length - adapter;
            double[] x = new double[points], y = new double[points];
            for (int t = adapter; t < experiences.length; t++) {
                x[t - adapter] = t + 1;
                y[t - adapter] = results.traceWeights(t)[adapter];
            }
            weights.addSeries("adapter " + (adapter + 1) + " (" + Domain.values()[adapter].id() + ")", x, y)
                    .setMarker(SeriesMarkers.CIRCLE);
        }
        BitmapEncoder.saveBitmap(weights, directory.resolve("weights.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        return "weights.png";
    }

    private static BasicStroke stroke(float... dashes) {
        return new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dashes, 0f);
    }

    private static double[] experienceAxis(int experiences) {
        double[] x = new double[experiences];
        for (int t = 0; t < experiences; t++) x[t] = t + 1;
        return x;
    }
}
