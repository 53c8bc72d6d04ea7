package amalgam.merge.dil;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of the experiment's training loops. On a terminal each loop gets a progress bar (the progressbar
 * library: rate, ETA, current loss); elsewhere one line per finished loop, because redrawn bars turn into
 * noise in a log file. {@link #SILENT} prints nothing (tests).
 */
public interface TrainingProgress {

    /** One training loop of {@code steps} steps. */
    interface Loop extends AutoCloseable {
        void step(double loss);

        @Override
        void close();
    }

    Loop start(String name, int steps);

    TrainingProgress SILENT = (name, steps) -> new Loop() {
        @Override
        public void step(double loss) {}

        @Override
        public void close() {}
    };

    /** Bars on the terminal's stderr when {@code terminal}, else summary lines on {@code err}. */
    static TrainingProgress on(PrintWriter err, boolean terminal) {
        return terminal ? bars() : lines(err);
    }

    private static TrainingProgress bars() {
        return (name, steps) -> {
            ProgressBar bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(steps)
                    .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                    .setUpdateIntervalMillis(250).build();
            return new Loop() {
                @Override
                public void step(double loss) {
                    bar.step();
                    bar.setExtraMessage(String.format(Locale.ROOT, "loss %.3f", loss));
                }

                @Override
                public void close() {
                    bar.close();
                }
            };
        };
    }

    private static TrainingProgress lines(PrintWriter err) {
        return (name, steps) -> new Loop() {
            private final long start = System.nanoTime();
            private double last = Double.NaN;

            @Override
            public void step(double loss) {
                last = loss;
            }

            @Override
            public void close() {
                err.printf(Locale.ROOT, "  %s: %d steps, last loss %.3f, %.1f s%n", name, steps, last,
                        (System.nanoTime() - start) / 1e9);
                err.flush();
            }
        };
    }
}
