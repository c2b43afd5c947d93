package dev.mono4j.metrics;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Effective rank (Roy &amp; Vetterli 2007), our measure of representation diversity: exp(H(p)) with
 * p_i = σ_i / Σ_j σ_j over the singular values σ of the sample × dimension matrix (not centred). It is 1
 * when all samples are multiples of one vector and k when k orthogonal directions carry equal energy.
 *
 * <p>Keeps the first {@code capacity} vectors (constant memory): singular values come from the
 * eigenvalues of the smaller Gram matrix, AAᵀ or AᵀA. Samples beyond the capacity are not used, so
 * compare effective ranks measured on the same number of samples.
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
        if (bySample) {
            for (int i = 0; i < count; i++) {
                for (int j = 0; j <= i; j++) {
                    double s = 0;
                    for (int c = 0; c < width; c++) {
                        s += (double) rows[i * width + c] * rows[j * width + c];
                    }
                    gram.unsafe_set(i, j, s);
                    gram.unsafe_set(j, i, s);
                }
            }
        } else {
            for (int r = 0; r < count; r++) {
                int off = r * width;
                for (int i = 0; i < width; i++) {
                    double xi = rows[off + i];
                    if (xi == 0) {
                        continue;
                    }
                    for (int j = 0; j <= i; j++) {
                        gram.data[i * k + j] += xi * rows[off + j];
                    }
                }
            }
            for (int i = 0; i < width; i++) {
                for (int j = 0; j < i; j++) {
                    gram.data[j * k + i] = gram.data[i * k + j];
                }
            }
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
