package dev.mono4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mono4j.UserInputException;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.HookPoint;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.Json;
import dev.mono4j.model.WorkspaceSettings.Workspace;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shared-workspace block and STR against plain-Java double arithmetic on a tiny case (1 head, 2 slots,
 * 4 tokens, two layers sharing one block and one workspace), the top-k tie order, causality, layer sharing,
 * config.json round trip and the KV-cache refusal. No parity with the authors' code: it runs on CUDA only
 * (fact sheet §4) and no PyTorch runs here.
 */
class WorkspaceFamilyTest {
    private static final int D = 4;
    private static final int SLOTS = 2;
    private static final int TOKENS = 4;
    private static final long[] IDS = {3, 1, 4, 6};

    /** 1 head of width 4, key size 4, 2 slots, top-2, 2 layers sharing one block; weights N(0, 0.7²). */
    private static TransformerLM tiny(Workspace w, int attentionTopk, boolean share) {
        WorkspaceSettings s = new WorkspaceSettings(w, SLOTS, 2, D, attentionTopk, share);
        TransformerLM model = TransformerLM.random(WorkspaceFamily.config(8, D, 2, 1, 6, 16, true, s), 1);
        SplittableRandom rng = new SplittableRandom(7);
        for (NDArray p : model.parameters().values()) {
            float[] v = new float[Math.toIntExact(p.size())];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (0.7 * rng.nextGaussian());
            }
            p.set(FloatBuffer.wrap(v));
        }
        return model;
    }

    @ParameterizedTest
    @EnumSource(value = Workspace.class, names = {"HARD", "SOFT"})
    void writeUpdateAndBroadcastMatchPlainJava(Workspace w) {
        try (TransformerLM model = tiny(w, 0, true); NDManager step = model.manager().newSubManager()) {
            Hooks hooks = Hooks.capture("*");
            model.forward(step, TokenBatch.of(1, TOKENS, IDS), hooks);
            Map<String, NDArray> got = hooks.captured();
            double[][][] memory = new double[TOKENS][][];
            for (int t = 0; t < TOKENS; t++) {
                memory[t] = identity();
            }
            for (int l = 0; l < 2; l++) { // layer 1 uses layer 0's weights and starts from its memory
                Reference r = new Reference(model, w == Workspace.HARD ? 2 : TOKENS, rows(got.get(HookPoint.residPre(l))),
                        memory);
                assertClose(r.writePattern, got.get(HookPoint.workspaceWritePattern(l)), "write pattern " + l);
                assertClose(r.slots, got.get(HookPoint.workspaceSlots(l)), "slots " + l);
                assertClose(r.readPattern, got.get(HookPoint.workspaceReadPattern(l)), "read pattern " + l);
                assertClose(r.out, got.get(HookPoint.attnOut(l)), "attn_out " + l);
                memory = r.memoryAfter;
            }
            float[] write = got.get(HookPoint.workspaceWritePattern(1)).toFloatArray();
            long kept = 0;
            for (float a : write) {
                kept += a != 0 ? 1 : 0;
            }
            // Positions 0..3 hold 1, 2, 3, 4 tokens; hard keeps min(2, n) per slot: (1 + 2 + 2 + 2) × 2 slots.
            assertEquals(w == Workspace.HARD ? 14 : 20, kept, "tokens written from");
        }
    }

    @Test
    void topkTiesGoToTheLowerIndexAndKIsCappedByTheNonZeroEntries() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {0.2f, 0.3f, 0.3f, 0.2f, 0.25f, 0.25f, 0.25f, 0.25f}, new ai.djl.ndarray.types.Shape(2, 4));
            assertArrayEquals(new float[] {0, 0.3f, 0, 0, 0.25f, 0, 0, 0}, ForwardPass.keepTopk(p, 1).toFloatArray());
            assertArrayEquals(new float[] {0.2f, 0.3f, 0.3f, 0, 0.25f, 0.25f, 0.25f, 0},
                    ForwardPass.keepTopk(p, 3).toFloatArray());
            NDArray causal = m.create(new float[] {0.6f, 0.4f, 0, 0});
            assertArrayEquals(new float[] {0.6f, 0.4f, 0, 0}, ForwardPass.keepTopk(causal, 3).toFloatArray(),
                    "two available tokens: both kept, nothing else");
        }
    }

    /** STR's pattern is the dense pattern with each row's top-2 kept, not renormalised (same weights). */
    @Test
    void strKeepsTheTopKSelfAttentionProbabilities() {
        try (TransformerLM sparse = tiny(Workspace.NONE, 2, true); TransformerLM dense = tiny(Workspace.NONE, 0, true);
                NDManager step = sparse.manager().newSubManager()) {
            Hooks hs = Hooks.capture("*hook_pattern");
            Hooks hd = Hooks.capture("*hook_pattern");
            sparse.forward(step, TokenBatch.of(1, TOKENS, IDS), hs);
            dense.forward(step, TokenBatch.of(1, TOKENS, IDS), hd);
            float[] full = hd.captured().get(HookPoint.attnPattern(0)).toFloatArray();
            float[] kept = hs.captured().get(HookPoint.attnPattern(0)).toFloatArray();
            for (int row = 0; row < TOKENS; row++) {
                boolean[] top = topIndices(java.util.Arrays.copyOfRange(full, row * TOKENS, row * TOKENS + TOKENS), 2);
                for (int j = 0; j < TOKENS; j++) {
                    assertEquals(top[j] ? full[row * TOKENS + j] : 0, kept[row * TOKENS + j], 1e-6, row + "," + j);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Workspace.class)
    void changingALaterTokenLeavesEarlierLogitsUnchanged(Workspace w) {
        try (TransformerLM model = tiny(w, w == Workspace.NONE ? 2 : 0, true);
                NDManager step = model.manager().newSubManager()) {
            float[] a = model.forward(step, TokenBatch.of(1, 6, new long[] {3, 1, 4, 6, 2, 5}), Hooks.none())
                    .toFloatArray();
            float[] b = model.forward(step, TokenBatch.of(1, 6, new long[] {3, 1, 4, 6, 7, 0}), Hooks.none())
                    .toFloatArray();
            int upTo = 4 * 8;
            assertArrayEquals(java.util.Arrays.copyOf(a, upTo), java.util.Arrays.copyOf(b, upTo), 1e-6f,
                    "positions 0..3");
            assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(a, upTo, a.length),
                    java.util.Arrays.copyOfRange(b, upTo, b.length)), "positions 4, 5 see the change");
        }
    }

    @ParameterizedTest
    @EnumSource(Workspace.class)
    void sharedLayersHoldOneBlock(Workspace w) {
        WorkspaceSettings s = WorkspaceSettings.of(w, 0);
        ModelConfig shared = WorkspaceFamily.config(50, 16, 4, 2, 24, 32, true, s);
        ModelConfig unshared = WorkspaceFamily.config(50, 16, 4, 2, 24, 32, true, s.withShareLayers(false));
        Map<String, long[]> keys = ParameterLayout.expected(shared);
        long block = keys.entrySet().stream().filter(e -> e.getKey().startsWith("model.layers.0."))
                .mapToLong(e -> java.util.Arrays.stream(e.getValue()).reduce(1, (x, y) -> x * y)).sum();
        assertTrue(keys.keySet().stream().noneMatch(k -> k.startsWith("model.layers.1.")));
        assertEquals(ParameterLayout.count(shared) + 3 * block, ParameterLayout.count(unshared));
        // embeddings 50·16 + final norm 16 + one block; the block by hand for the workspace:
        long mlp = 3L * 16 * 24 + 2 * 16;
        long workspace = (16 * 16 + 16) + 2 * (64 * 16 + 64) + (16 * 16 + 16) + (16 * 16 + 16) + 4 * 16 + 16
                + (32 * 16 + 32) + 4 * 16 * 32 + 4 * 32 + 2;
        long attention = 4L * 16 * 16;
        assertEquals(50 * 16 + 16 + mlp + (w == Workspace.NONE ? attention : workspace), ParameterLayout.count(shared));
    }

    @Test
    void configJsonRoundTripsAndTheModelLoadsWithItsOutputs(@TempDir Path tmp) {
        Path dir = tmp.resolve("ws");
        float[] before;
        try (TransformerLM model = tiny(Workspace.HARD, 0, false); NDManager step = model.manager().newSubManager()) {
            before = model.forward(step, TokenBatch.of(1, TOKENS, IDS), Hooks.none()).toFloatArray();
            Checkpoint.save(model, dir, null, false);
        }
        JsonNode json = Json.read(dir.resolve("config.json"));
        assertEquals("mono4j_workspace", json.get("model_type").asText());
        assertEquals("hard", json.get("workspace").asText());
        assertEquals(SLOTS, json.get("workspace_slots").asInt());
        assertEquals(2, json.get("workspace_topk").asInt());
        assertEquals(D, json.get("workspace_key_size").asInt());
        assertEquals(0, json.get("attention_topk").asInt());
        assertFalse(json.get("share_layers").asBoolean());
        try (TransformerLM loaded = Checkpoint.loadCausal(dir, "test"); NDManager step = loaded.manager().newSubManager()) {
            assertEquals(new WorkspaceSettings(Workspace.HARD, SLOTS, 2, D, 0, false),
                    WorkspaceFamily.settings(loaded.config()));
            assertArrayEquals(before, loaded.forward(step, TokenBatch.of(1, TOKENS, IDS), Hooks.none()).toFloatArray());
        }
    }

    @Test
    void aWorkspaceModelRefusesTheKvCache() {
        try (TransformerLM model = tiny(Workspace.SOFT, 0, true); NDManager step = model.manager().newSubManager();
                KvCache cache = new KvCache(model.manager(), 2)) {
            UserInputException e = assertThrows(UserInputException.class,
                    () -> model.forward(step, IDS, 1, TOKENS, new long[] {1, 1, 1, 1}, Hooks.none(), cache));
            assertTrue(e.getMessage().contains("--no-cache"), e.getMessage());
        }
    }

    @Test
    void badSettingsAreOneLineNamingTheFile(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("ws");
        try (TransformerLM model = tiny(Workspace.SOFT, 0, true)) {
            Checkpoint.save(model, dir, null, false);
        }
        Path config = dir.resolve("config.json");
        String text = java.nio.file.Files.readString(config);
        java.nio.file.Files.writeString(config, text.replace("\"attention_topk\" : 0", "\"attention_topk\" : 3"));
        UserInputException e = assertThrows(UserInputException.class, () -> Checkpoint.load(dir).close());
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("attention_topk"), e.getMessage());
    }

    // ---- the plain-Java reference ----

    /** One workspace layer in doubles, from its block input and the memory it starts from at each position. */
    private static final class Reference {
        final double[][][][] writePattern = new double[TOKENS][1][SLOTS][TOKENS]; // [pos, head, slot, token]
        final double[][][] slots = new double[TOKENS][][];
        final double[][][] readPattern = new double[TOKENS][1][SLOTS];
        final double[][] out = new double[TOKENS][];
        final double[][][] memoryAfter;

        Reference(TransformerLM model, int topk, double[][] h, double[][][] memory) {
            String w = "model.layers.0.workspace.";
            double[] gamma = vec(model, "model.layers.0.input_layernorm.weight");
            double[][] input = new double[TOKENS][];
            for (int t = 0; t < TOKENS; t++) {
                double ms = 0;
                for (double v : h[t]) {
                    ms += v * v / D;
                }
                double[] x = new double[D];
                for (int i = 0; i < D; i++) {
                    x[i] = h[t][i] / Math.sqrt(ms + 1e-6) * gamma[i];
                }
                input[t] = linear(model, w + "input_projector", x);
            }
            double[] scale = vec(model, w + "input_gate_projector.w");
            double[] forgetBias = vec(model, w + "forget_bias");
            double[] inputBias = vec(model, w + "input_bias");
            double[] gateW = vec(model, w + "memory_gate_projector.weight"); // [slot, in, out]
            double[] gateB = vec(model, w + "memory_gate_projector.bias");
            for (int t = 0; t < TOKENS; t++) {
                double[] mean = new double[D];
                for (int j = 0; j <= t; j++) {
                    for (int i = 0; i < D; i++) {
                        mean[i] += Math.max(0, scale[i] * input[j][i]) / (t + 1);
                    }
                }
                double[] gateIn = linear(model, w + "input_gate_projector.linear", mean);
                slots[t] = new double[SLOTS][];
                for (int s = 0; s < SLOTS; s++) {
                    double[] m = memory[t][s];
                    double[] q = linear(model, w + "query_proj", m);
                    double[] a = new double[t + 1];
                    for (int j = 0; j <= t; j++) {
                        a[j] = dot(q, linear(model, w + "key_proj", input[j])); // no 1/√d
                    }
                    softmax(a);
                    boolean[] keep = topIndices(a, Math.min(topk, t + 1));
                    double[] written = new double[D];
                    for (int j = 0; j <= t; j++) {
                        double aj = keep[j] ? a[j] : 0;
                        writePattern[t][0][s][j] = aj;
                        double[] v = linear(model, w + "value_proj", input[j]);
                        for (int i = 0; i < D; i++) {
                            written[i] += aj * v[i];
                        }
                    }
                    double[] attended = layerNorm(model, w + "attended_memory_layernorm", add(m, written));
                    double[] mlp = linear(model, w + "attention_mlp", attended);
                    for (int i = 0; i < D; i++) {
                        mlp[i] = Math.max(0, mlp[i]);
                    }
                    attended = layerNorm(model, w + "attended_memory_layernorm2", add(attended, mlp));
                    double[] next = new double[D];
                    for (int i = 0; i < D; i++) {
                        double gi = gateIn[i] + gateB[s * 2 * D + i];
                        double gf = gateIn[D + i] + gateB[s * 2 * D + D + i];
                        for (int k = 0; k < D; k++) {
                            gi += Math.tanh(m[k]) * gateW[(s * D + k) * 2 * D + i];
                            gf += Math.tanh(m[k]) * gateW[(s * D + k) * 2 * D + D + i];
                        }
                        next[i] = sigmoid(gi + inputBias[0]) * Math.tanh(attended[i]) + sigmoid(gf + forgetBias[0]) * m[i];
                    }
                    slots[t][s] = next;
                }
                double[] q = linear(model, w + "query_proj", input[t]);
                double[] r = new double[SLOTS];
                for (int s = 0; s < SLOTS; s++) {
                    r[s] = dot(q, linear(model, w + "key_proj", slots[t][s]));
                }
                softmax(r);
                readPattern[t][0] = r;
                out[t] = new double[D];
                for (int s = 0; s < SLOTS; s++) {
                    double[] v = linear(model, w + "value_proj", slots[t][s]);
                    for (int i = 0; i < D; i++) {
                        out[t][i] += r[s] * v[i];
                    }
                }
            }
            memoryAfter = slots;
        }
    }

    private static double[][] identity() {
        double[][] m = new double[SLOTS][D];
        for (int s = 0; s < SLOTS; s++) {
            m[s][s] = 1;
        }
        return m;
    }

    /** The k largest entries of a, ties to the lower index. */
    private static boolean[] topIndices(double[] a, int k) {
        boolean[] keep = new boolean[a.length];
        for (int round = 0; round < k; round++) {
            int best = -1;
            for (int j = 0; j < a.length; j++) {
                if (!keep[j] && (best < 0 || a[j] > a[best])) {
                    best = j;
                }
            }
            keep[best] = true;
        }
        return keep;
    }

    private static boolean[] topIndices(float[] a, int k) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return topIndices(d, k);
    }

    private static double[] vec(TransformerLM model, String key) {
        float[] f = model.weight(key);
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** PyTorch Linear: W [out, in] x + b. */
    private static double[] linear(TransformerLM model, String module, double[] x) {
        double[] w = vec(model, module + ".weight");
        double[] b = vec(model, module + ".bias");
        double[] y = b.clone();
        for (int o = 0; o < b.length; o++) {
            for (int i = 0; i < x.length; i++) {
                y[o] += w[o * x.length + i] * x[i];
            }
        }
        return y;
    }

    private static double[] layerNorm(TransformerLM model, String key, double[] x) {
        double mean = java.util.Arrays.stream(x).average().orElseThrow();
        double var = java.util.Arrays.stream(x).map(v -> (v - mean) * (v - mean)).average().orElseThrow();
        double[] g = vec(model, key + ".weight");
        double[] b = vec(model, key + ".bias");
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (x[i] - mean) / Math.sqrt(var + 1e-5) * g[i] + b[i];
        }
        return y;
    }

    private static double[] add(double[] a, double[] b) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] + b[i];
        }
        return y;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void softmax(double[] a) {
        double max = java.util.Arrays.stream(a).max().orElseThrow();
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.exp(a[i] - max);
            sum += a[i];
        }
        for (int i = 0; i < a.length; i++) {
            a[i] /= sum;
        }
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** A {@code [1, T, d]} capture as rows. */
    private static double[][] rows(NDArray x) {
        float[] f = x.toFloatArray();
        double[][] r = new double[TOKENS][D];
        for (int t = 0; t < TOKENS; t++) {
            for (int i = 0; i < D; i++) {
                r[t][i] = f[t * D + i];
            }
        }
        return r;
    }

    private static void assertClose(Object expected, NDArray got, String what) {
        double[] e = flatten(expected).stream().mapToDouble(Double::doubleValue).toArray();
        float[] g = got.toFloatArray();
        assertEquals(e.length, g.length, what + " size");
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], g[i], 1e-4, what + " [" + i + "]");
        }
    }

    private static List<Double> flatten(Object a) {
        List<Double> out = new java.util.ArrayList<>();
        if (a instanceof double[] d) {
            for (double v : d) {
                out.add(v);
            }
        } else {
            for (Object o : (Object[]) a) {
                out.addAll(flatten(o));
            }
        }
        return out;
    }
}
