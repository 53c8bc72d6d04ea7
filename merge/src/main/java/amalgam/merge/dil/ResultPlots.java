package amalgam.merge.dil;

import amalgam.merge.adaptive.Granularity;
import amalgam.merge.adaptive.MergeKind;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The report's PNG plots, drawn headless with XChart. */
final class ResultPlots {

    private static final int WIDTH = 720, HEIGHT = 460;

    private ResultPlots() {}

    /** Writes accuracy-ALG.png for each merge and weights.png into {@code directory}; returns the file names. */
    static List<String> write(DilResults results, Path directory) throws IOException {
        System.setProperty("java.awt.headless", "true"); // no display on a server, none needed to render a PNG
        List<String> files = new ArrayList<>();
        Map<String, double[]> curves = results.curves();
        double[] experiences = new double[results.experiences()];
        for (int t = 0; t < experiences.length; t++) experiences[t] = t + 1;
        for (MergeKind kind : MergeKind.values()) {
            XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                    .title(kind.cliName() + ": accuracy on the domains seen").xAxisTitle("experience")
                    .yAxisTitle("accuracy (%)").build();
            chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0).setXAxisDecimalPattern("0");
            curves.forEach((label, values) -> {
                if (label.startsWith(kind.cliName() + " ")) chart.addSeries(label, experiences, values);
            });
            String name = "accuracy-" + kind.cliName() + ".png";
            BitmapEncoder.saveBitmap(chart, directory.resolve(name).toString(), BitmapEncoder.BitmapFormat.PNG);
            files.add(name);
        }
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
        files.add("weights.png");
        return files;
    }
}
