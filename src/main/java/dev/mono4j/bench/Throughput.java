package dev.mono4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mono4j.io.AtomicFiles;
import dev.mono4j.model.ModelConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import dev.mono4j.model.ParameterLayout;

/** What the benchmarks share: the fp32 GEMM reference, the FLOP count of a model's tokens, a temp folder. */
public final class Throughput {
    /** The reference GEMM of every benchmark: GPT-2 small's MLP up-projection for 4 × 128 tokens. */
    static final int GEMM_M = 512;
    static final int GEMM_K = 768;
    static final int GEMM_N = 3072;

    private Throughput() {
    }

    /** Runs a benchmark in a fresh temp folder, deleted afterwards (a failed clean-up only warns); returns its result. */
    static <T> T inTempFolder(Function<Path, T> bench) {
        Path tmp;
        try {
            tmp = Files.createTempDirectory("mono4j-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return bench.apply(tmp);
        } finally {
            try {
                AtomicFiles.deleteTree(tmp);
            } catch (IOException e) {
                // Never hide the run's own error behind a clean-up failure; the folder is a temp folder.
                System.err.println("warning: cannot remove " + tmp + ": " + e.getMessage());
            }
        }
    }

    /** The reference GEMM's shape, as the benchmarks print it. */
    public static String gemmShape() {
        return "[" + GEMM_M + " x " + GEMM_K + "] x [" + GEMM_K + " x " + GEMM_N + "]";
    }

    /** FLOP/s of the reference GEMM, best of 12 runs (the machine's speed drifts; the best is the fair bar). */
    public static double gemmFlops() {
        try (NDManager mgr = NDManager.newBaseManager()) {
            NDArray a = mgr.randomNormal(new Shape(GEMM_M, GEMM_K));
            NDArray b = mgr.randomNormal(new Shape(GEMM_K, GEMM_N));
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 12; i++) {
                long t0 = System.nanoTime();
                try (NDArray r = a.matMul(b)) {
                    r.getFloat(0, 0);
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            return 2.0 * GEMM_M * GEMM_K * GEMM_N / best;
        }
    }

    /**
     * Forward FLOPs per token: 2 per weight of every matrix product (lm_head included where there is one,
     * embedding lookups not) plus attention's 4·T·d per layer (the full T×T score matrix is computed). Training is 3×.
     */
    public static double forwardFlopsPerToken(ModelConfig c, int seq) {
        double q = (double) c.numHeads() * c.headDim();
        double blockMatrices = ParameterLayout.expected(c).entrySet().stream()
                .filter(e -> e.getKey().startsWith(c.family().blocksPrefix()) && e.getValue().length == 2)
                .mapToDouble(e -> (double) e.getValue()[0] * e.getValue()[1]).sum();
        double matmulWeights = blockMatrices + (c.causal() ? (double) c.hiddenSize() * c.vocabSize() : 0);
        return 2 * matmulWeights + 4.0 * c.numLayers() * seq * q;
    }
}
