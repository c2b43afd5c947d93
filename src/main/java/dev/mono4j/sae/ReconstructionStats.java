package dev.mono4j.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * How well an SAE reconstructs rows and how sparsely, accumulated batch by batch in constant memory:
 * MSE (Σ over d_in per row, as training reports it), fraction of variance unexplained
 * FVU = Σ‖x − x̂‖² / Σ‖x − x̄‖² (x̄ the mean row over everything seen), explained variance 1 − FVU, mean cosine
 * between x and x̂, L0, and each latent's firing density, from which dead latents (never fired), dense
 * latents (density above a threshold) and the density histogram follow.
 */
public final class ReconstructionStats {
    /** Histogram bins of log₁₀ density: [−∞ (never), −7, −6, …, −1, 0]. */
    public static final int HISTOGRAM_MIN_EXPONENT = -7;

    private final int dIn;
    private final long[] fired;
    private long rows;
    private double sse;
    private double cosSum;
    private double l0Sum;
    private final double[] sum;
    private double sumSquares;

    public ReconstructionStats(int dIn, int dSae) {
        this.dIn = dIn;
        this.fired = new long[dSae];
        this.sum = new double[dIn];
    }

    /** Adds rows {@code x [N, d_in]}, their latents {@code f [N, d_sae]} and reconstructions {@code [N, d_in]}. */
    public void add(NDArray x, NDArray f, NDArray recon) {
        int n = Math.toIntExact(x.getShape().get(0));
        rows += n;
        NDArray err = recon.sub(x);
        sse += err.square().sum().getFloat();
        NDArray dot = x.mul(recon).sum(new int[] {1});
        NDArray norms = x.norm(new int[] {1}).mul(recon.norm(new int[] {1})).maximum(1e-12f);
        cosSum += dot.div(norms).sum().getFloat();
        NDArray active = f.gt(0f).toType(DataType.FLOAT32, false);
        float[] perLatent = active.sum(new int[] {0}).toFloatArray();
        for (int i = 0; i < fired.length; i++) {
            fired[i] += (long) perLatent[i];
            l0Sum += perLatent[i];
        }
        float[] colSum = x.sum(new int[] {0}).toFloatArray();
        for (int j = 0; j < dIn; j++) {
            sum[j] += colSum[j];
        }
        sumSquares += x.square().sum().getFloat();
    }

    public long rows() {
        return rows;
    }

    /** Each latent's share of rows it fired on. */
    public double[] density() {
        double[] d = new double[fired.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = (double) fired[i] / rows;
        }
        return d;
    }

    /** The summary; {@code denseThreshold} as {@link SaeConfig#denseThreshold}. */
    public Result result(double denseThreshold) {
        double meanSq = 0;
        for (double s : sum) {
            meanSq += (s / rows) * (s / rows);
        }
        double totalVariance = sumSquares - rows * meanSq; // Σ‖x − x̄‖²
        double fvu = sse / totalVariance;
        int dead = 0;
        int dense = 0;
        long[] histogram = new long[2 - HISTOGRAM_MIN_EXPONENT];
        for (double d : density()) {
            dead += d == 0 ? 1 : 0;
            dense += d > denseThreshold ? 1 : 0;
            histogram[bin(d)]++;
        }
        return new Result(rows, sse / rows, fvu, 1 - fvu, cosSum / rows, l0Sum / rows, dead, dense, histogram);
    }

    /** Bin 0: never fired; bin i ≥ 1: log₁₀ density in [−8 + i, −7 + i), the last bin holding density 1. */
    static int bin(double density) {
        if (density == 0) {
            return 0;
        }
        int e = (int) Math.floor(Math.log10(density));
        return Math.min(Math.max(e, HISTOGRAM_MIN_EXPONENT) - HISTOGRAM_MIN_EXPONENT + 1, 1 - HISTOGRAM_MIN_EXPONENT);
    }

    /**
     * @param densityHistogram latents per bin: never fired, then log₁₀ density below −6, [−6, −5), …, [−1, 0), 1
     */
    public record Result(long rows, double mse, double fvu, double explainedVariance, double cosine, double l0,
            int deadLatents, int denseLatents, long[] densityHistogram) {
    }
}
