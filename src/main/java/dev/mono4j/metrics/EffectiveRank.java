package dev.mono4j.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Effective rank (Roy &amp; Vetterli 2007), our measure of representation diversity: exp(H(p)) with
 * p_i = σ_i / Σ_j σ_j over the singular values σ of the sample × dimension matrix (not centred). It is 1
 * when all samples are multiples of one vector and k when k orthogonal directions carry equal energy.
 *
 * <p>Keeps the first {@code capacity} vectors (constant memory): singular values come from the
 * eigenvalues of the smaller Gram matrix, AAᵀ or AᵀA (computed by torch in F64, its eigenvalues by
 * EJML). Samples beyond the capacity are not used, so compare effective ranks measured on the same
 * number of samples.
 */
public final class EffectiveRank {
    private final int width;
    private final int capacity;
    private final float[] rows;
    private int count;

    public EffectiveRank(int width, int capacity) {
        this.width = width;
        this.capacity = capacity;
        this.rows = new float[Math.multiplyExact(width, capacity)];
    }

    /** Keeps {@code x[offset .. offset + width)} while there is room. */
    public void add(float[] x, int offset) {
        if (count < capacity) {
            System.arraycopy(x, offset, rows, count * width, width);
            count++;
        }
    }

    public int samples() {
        return count;
    }

    public double value() {
        if (count == 0) {
            return Double.NaN;
        }
        boolean bySample = count <= width;
        int k = bySample ? count : width;
        DMatrixRMaj gram = new DMatrixRMaj(k, k);
        // The Gram matrix is the expensive part (k² · d): torch computes it, in F64, because singular values
        // are square roots of its eigenvalues and F32 rounding (1e-7 of the largest) would turn zero
        // singular values into 3e-4 of the largest, enough to move the entropy.
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(java.util.Arrays.copyOf(rows, count * width), new Shape(count, width))
                    .toType(DataType.FLOAT64, false);
            NDArray g = bySample ? a.matMul(a.transpose()) : a.transpose().matMul(a);
            System.arraycopy(g.toDoubleArray(), 0, gram.data, 0, k * k);
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(k, false, true);
        if (!eig.decompose(gram)) {
            throw new IllegalStateException("eigen decomposition failed");
        }
        double[] sigma = new double[k];
        for (int i = 0; i < k; i++) {
            sigma[i] = Math.sqrt(Math.max(0, eig.getEigenvalue(i).getReal()));
        }
        return of(sigma);
    }

    /** exp of the entropy of the normalised singular values; NaN when all are zero. */
    public static double of(double[] singularValues) {
        double total = 0;
        for (double s : singularValues) {
            total += s;
        }
        double h = 0;
        for (double s : singularValues) {
            if (s > 0) {
                double p = s / total;
                h -= p * Math.log(p);
            }
        }
        return total > 0 ? Math.exp(h) : Double.NaN;
    }
}
