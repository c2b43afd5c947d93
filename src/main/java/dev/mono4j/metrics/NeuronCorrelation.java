package dev.mono4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Neuron-wise decorrelation (the Barlow Twins / VICReg view): C is the correlation matrix of m neurons
 * over tokens; we report mean_{i≠j} |C_ij| and ‖C − I‖²_F / d².
 *
 * <p>Streams sums and cross-products (m × m doubles, however many tokens). To avoid cancellation when a
 * neuron's mean is large next to its spread, values are shifted by the first batch's mean before they
 * are accumulated (the variance is shift-invariant). Cross-products run as one matrix product per batch.
 *
 * <p>When only a sample of the layer's d neurons is tracked (m &lt; d), both numbers are estimates over
 * pairs of the sample: ‖C − I‖²_F / d² is mean_{i≠j} C_ij² · d(d−1)/d². Neurons that never vary have no
 * correlation; they are counted and left out.
 */
public final class NeuronCorrelation {
    private final int m;
    private final int layerWidth;
    private final double[] cross;
    private final double[] sums;
    private float[] shift;
    private long tokens;

    /** Tracks {@code m} neurons of a layer that has {@code layerWidth}. */
    public NeuronCorrelation(int m, int layerWidth) {
        this.m = m;
        this.layerWidth = layerWidth;
        this.cross = new double[m * m];
        this.sums = new double[m];
    }

    /** Adds {@code rows} tokens, {@code x} row-major {@code [rows, m]}; {@code step} owns the temporaries. */
    public void add(NDManager step, float[] x, int rows) {
        add(step.create(x, new Shape(rows, m)));
    }

    /** Adds the rows of {@code x} {@code [rows, m]}; temporaries belong to x's manager. */
    public void add(NDArray x) {
        int rows = Math.toIntExact(x.getShape().get(0));
        if (rows == 0) {
            return;
        }
        if (shift == null) {
            shift = x.mean(new int[] {0}).toFloatArray();
        }
        NDArray c = x.sub(x.getManager().create(shift, new Shape(1, m)));
        float[] gram = c.transpose().matMul(c).toFloatArray();
        float[] colSums = c.sum(new int[] {0}).toFloatArray();
        for (int i = 0; i < gram.length; i++) {
            cross[i] += gram[i];
        }
        for (int k = 0; k < m; k++) {
            sums[k] += colSums[k];
        }
        tokens += rows;
    }

    /** The correlation matrix over the tracked neurons; NaN rows and columns for constant neurons. */
    public double[][] correlation() {
        double n = tokens;
        double[] sd = new double[m];
        for (int k = 0; k < m; k++) {
            double var = cross[k * m + k] / n - (sums[k] / n) * (sums[k] / n);
            sd[k] = var > 1e-12 * Math.max(1, cross[k * m + k] / n) ? Math.sqrt(var) : 0;
        }
        double[][] c = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                double cov = cross[i * m + j] / n - (sums[i] / n) * (sums[j] / n);
                c[i][j] = sd[i] == 0 || sd[j] == 0 ? Double.NaN : i == j ? 1 : cov / (sd[i] * sd[j]);
            }
        }
        return c;
    }

    public record Result(double meanAbsCorrelation, double offDiagonalFrobenius, int neurons, int constantNeurons,
            long tokens) {
    }

    public Result result() {
        double[][] c = correlation();
        int constant = 0;
        for (int i = 0; i < m; i++) {
            constant += Double.isNaN(c[i][i]) ? 1 : 0;
        }
        double abs = 0;
        double sq = 0;
        long pairs = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                if (i != j && !Double.isNaN(c[i][j])) {
                    abs += Math.abs(c[i][j]);
                    sq += c[i][j] * c[i][j];
                    pairs++;
                }
            }
        }
        double d = layerWidth;
        double meanSq = pairs == 0 ? Double.NaN : sq / pairs;
        return new Result(pairs == 0 ? Double.NaN : abs / pairs, meanSq * d * (d - 1) / (d * d), m, constant, tokens);
    }
}
