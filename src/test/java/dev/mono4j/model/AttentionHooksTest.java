package dev.mono4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.SafetensorsReader;
import dev.mono4j.testing.Fixtures;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attention hooks in TransformerLens' names and shapes: hook_pattern and hook_z against the reference
 * implementations' own attention (llm.c for GPT-2, llama2.c with GQA for Llama: fixtures' expected_attn.safetensors),
 * and the other hooks against plain-Java recomputations from each other (q → rot_q by rotate-half RoPE, rot_q·rot_k →
 * pattern, pattern·v → z, z·W_O → result).
 */
class AttentionHooksTest {
    private static final double TOL = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny"})
    void patternAndZMatchTheReferenceInTransformerLensShapes(String fixture) {
        Path dir = Fixtures.dir(fixture);
        try (TransformerLM model = Checkpoint.loadCausal(dir, "this test");
                SafetensorsReader expected = SafetensorsReader.open(dir.resolve("expected_attn.safetensors"));
                NDManager step = model.manager().newSubManager()) {
            long[] idShape = expected.info("input_ids").shape();
            // The fixture stores its token ids as F32 (small integers, exact).
            float[] idFloats = expected.readFloats("input_ids");
            long[] ids = new long[idFloats.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (long) idFloats[i];
            }
            TokenBatch batch = TokenBatch.of((int) idShape[0], (int) idShape[1], ids);
            Hooks hooks = Hooks.capture("blocks.*.attn.*");
            model.forward(step, batch, hooks);
            int checked = 0;
            for (String name : expected.tensors().keySet()) {
                if (name.startsWith("blocks.")) {
                    NDArray got = hooks.get(name);
                    assertArrayEquals(expected.info(name).shape(), got.getShape().getShape(), name + " shape");
                    double diff = Fixtures.maxAbsDiff(expected.readFloats(name), got.toFloatArray());
                    assertTrue(diff < TOL, fixture + " " + name + ": max |diff| " + diff);
                    checked++;
                }
            }
            assertEquals(2 * model.config().numLayers(), checked, "pattern and z of every layer");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-tiny"})
    void hooksAgreeWithEachOtherByPlainJava(String fixture) {
        try (TransformerLM model = Checkpoint.loadCausal(Fixtures.dir(fixture), "this test");
                NDManager step = model.manager().newSubManager()) {
            ModelConfig c = model.config();
            int b = 2;
            int t = 5;
            long[] ids = {3, 17, 42, 8, 99, 5, 6, 7, 250, 1};
            Hooks hooks = Hooks.capture("blocks.1.*");
            model.forward(step, TokenBatch.of(b, t, ids), hooks);
            int heads = c.numHeads();
            int kvHeads = c.numKvHeads();
            int hd = c.headDim();
            boolean rotary = c.family() != Gpt2Family.GPT2;
            assertArrayEquals(new long[] {b, t, heads, hd}, shape(hooks, HookPoint.attnQ(1)));
            assertArrayEquals(new long[] {b, t, kvHeads, hd}, shape(hooks, HookPoint.attnK(1)));
            assertArrayEquals(new long[] {b, t, kvHeads, hd}, shape(hooks, HookPoint.attnV(1)));
            assertArrayEquals(new long[] {b, heads, t, t}, shape(hooks, HookPoint.attnScores(1)));
            assertArrayEquals(new long[] {b, t, heads, c.hiddenSize()}, shape(hooks, HookPoint.attnResult(1)));
            assertEquals(rotary, model.hookNames().contains(HookPoint.attnRotQ(1)));
            float[] q = hooks.get(rotary ? HookPoint.attnRotQ(1) : HookPoint.attnQ(1)).toFloatArray();
            float[] k = hooks.get(rotary ? HookPoint.attnRotK(1) : HookPoint.attnK(1)).toFloatArray();
            float[] v = hooks.get(HookPoint.attnV(1)).toFloatArray();
            if (rotary) {
                assertClose(rope(hooks.get(HookPoint.attnQ(1)).toFloatArray(), b, t, heads, hd, c.ropeTheta()), q,
                        "rot_q = RoPE(q)");
                assertClose(rope(hooks.get(HookPoint.attnK(1)).toFloatArray(), b, t, kvHeads, hd, c.ropeTheta()), k,
                        "rot_k = RoPE(k)");
            }
            int rep = heads / kvHeads;
            float[] scores = new float[b * heads * t * t];
            float[] pattern = new float[scores.length];
            float[] z = new float[b * t * heads * hd];
            for (int bi = 0; bi < b; bi++) {
                for (int h = 0; h < heads; h++) {
                    int g = h / rep;
                    for (int i = 0; i < t; i++) {
                        double[] s = new double[i + 1];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j <= i; j++) {
                            for (int d = 0; d < hd; d++) {
                                s[j] += q[((bi * t + i) * heads + h) * hd + d] * k[((bi * t + j) * kvHeads + g) * hd + d];
                            }
                            s[j] /= Math.sqrt(hd);
                            scores[((bi * heads + h) * t + i) * t + j] = (float) s[j];
                            max = Math.max(max, s[j]);
                        }
                        double sum = 0;
                        for (int j = 0; j <= i; j++) {
                            sum += Math.exp(s[j] - max);
                        }
                        for (int j = 0; j <= i; j++) {
                            double p = Math.exp(s[j] - max) / sum;
                            pattern[((bi * heads + h) * t + i) * t + j] = (float) p;
                            for (int d = 0; d < hd; d++) {
                                z[((bi * t + i) * heads + h) * hd + d] += (float) (p * v[((bi * t + j) * kvHeads + g) * hd + d]);
                            }
                        }
                    }
                }
            }
            assertClose(pattern, hooks.get(HookPoint.attnPattern(1)).toFloatArray(), "pattern = softmax(q·k/√d)");
            assertClose(z, hooks.get(HookPoint.attnZ(1)).toFloatArray(), "z = pattern·v");
            float[] gotScores = hooks.get(HookPoint.attnScores(1)).toFloatArray();
            for (int i = 0; i < scores.length; i++) {
                int key = i % t;
                int query = (i / t) % t;
                if (key <= query) {
                    assertEquals(scores[i], gotScores[i], TOL, "score " + i);
                } else {
                    assertTrue(gotScores[i] < -1e8, "a masked score is very negative");
                }
            }
            // result: each head's z through its slice of W_O; their sum plus the bias is hook_attn_out.
            String out = c.family() == Gpt2Family.GPT2 ? "transformer.h.1.attn.c_proj" : "model.layers.1.self_attn.o_proj";
            float[] w = model.weight(out + ".weight");
            int dm = c.hiddenSize();
            float[] result = new float[b * t * heads * dm];
            for (int row = 0; row < b * t; row++) {
                for (int h = 0; h < heads; h++) {
                    for (int o = 0; o < dm; o++) {
                        double acc = 0;
                        for (int d = 0; d < hd; d++) {
                            int in = h * hd + d;
                            // GPT-2's Conv1D stores [in, out]; Linear [out, in].
                            double wij = c.family() == Gpt2Family.GPT2 ? w[in * dm + o] : w[o * heads * hd + in];
                            acc += z[(row * heads + h) * hd + d] * wij;
                        }
                        result[(row * heads + h) * dm + o] = (float) acc;
                    }
                }
            }
            NDArray gotResult = hooks.get(HookPoint.attnResult(1));
            assertClose(result, gotResult.toFloatArray(), "result = z_h W_O[h]");
            NDArray bias = model.parameters().get(out + ".bias");
            NDArray summed = gotResult.sum(new int[] {2});
            summed = bias == null ? summed : summed.add(bias);
            assertClose(hooks.get(HookPoint.attnOut(1)).toFloatArray(), summed.toFloatArray(), "Σ_h result + b_O = attn_out");
        }
    }

    @Test
    void zeroingOneHeadsZRemovesExactlyThatHeadsResult() {
        try (TransformerLM model = Checkpoint.loadCausal(Fixtures.dir("llama-tiny"), "this test");
                NDManager step = model.manager().newSubManager()) {
            TokenBatch batch = TokenBatch.of(1, 4, new long[] {3, 1, 4, 1});
            Hooks clean = Hooks.capture(HookPoint.attnResult(0) + "," + HookPoint.attnOut(0));
            model.forward(step, batch, clean);
            int head = 2;
            Hooks ablated = new Hooks().intervene(HookPoint.attnZ(0), zz -> {
                NDArray keep = zz.onesLike();
                keep.set(new NDIndex(":, :, " + head), 0f);
                return zz.mul(keep);
            }).alsoCapture(HookPoint.attnOut(0));
            model.forward(step, batch, ablated);
            NDArray expected = clean.get(HookPoint.attnOut(0)).sub(clean.get(HookPoint.attnResult(0)).get(":, :, " + head));
            assertClose(expected.toFloatArray(), ablated.get(HookPoint.attnOut(0)).toFloatArray(), "ablated head");
        }
    }

    @Test
    void aCachedPassHooksOnlyItsNewQueriesAgainstEveryKey() {
        try (TransformerLM model = Checkpoint.loadCausal(Fixtures.dir("llama-tiny"), "this test");
                NDManager step = model.manager().newSubManager();
                KvCache cache = new KvCache(model.manager(), model.config().numLayers())) {
            long[] ids = {3, 1, 4, 1, 5};
            Hooks full = Hooks.capture(HookPoint.attnPattern(1));
            model.forward(step, TokenBatch.of(1, 5, ids), full);
            long[] ones = new long[5];
            Arrays.fill(ones, 1);
            model.forward(step, Arrays.copyOf(ids, 4), 1, 4, Arrays.copyOf(ones, 4), Hooks.none(), cache);
            Hooks last = Hooks.capture(HookPoint.attnPattern(1));
            model.forward(step, new long[] {5}, 1, 1, ones, last, cache);
            assertArrayEquals(new long[] {1, model.config().numHeads(), 1, 5}, last.get(HookPoint.attnPattern(1)).getShape().getShape());
            assertClose(full.get(HookPoint.attnPattern(1)).get(":, :, 4:5, :").toFloatArray(),
                    last.get(HookPoint.attnPattern(1)).toFloatArray(), "last query's pattern");
        }
    }

    private static long[] shape(Hooks hooks, String name) {
        return hooks.get(name).getShape().getShape();
    }

    /** HF's rotate-half RoPE on {@code [B, T, H, hd]} at positions 0..T-1: x cos + rotate_half(x) sin. */
    private static float[] rope(float[] x, int b, int t, int heads, int hd, double theta) {
        float[] y = new float[x.length];
        int half = hd / 2;
        for (int bi = 0; bi < b; bi++) {
            for (int pos = 0; pos < t; pos++) {
                for (int h = 0; h < heads; h++) {
                    int base = ((bi * t + pos) * heads + h) * hd;
                    for (int d = 0; d < half; d++) {
                        double angle = pos * Math.pow(theta, -2.0 * d / hd);
                        double x1 = x[base + d];
                        double x2 = x[base + d + half];
                        y[base + d] = (float) (x1 * Math.cos(angle) - x2 * Math.sin(angle));
                        y[base + d + half] = (float) (x2 * Math.cos(angle) + x1 * Math.sin(angle));
                    }
                }
            }
        }
        return y;
    }

    private static void assertClose(float[] expected, float[] got, String what) {
        double diff = Fixtures.maxAbsDiff(expected, got);
        assertTrue(diff < TOL, what + ": max |diff| " + diff);
    }
}
