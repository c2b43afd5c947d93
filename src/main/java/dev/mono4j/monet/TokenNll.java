package dev.mono4j.monet;

import ai.djl.ndarray.NDArray;
import dev.mono4j.data.LabelledText;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.LogProbs;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Mean next-token NLL per text label (every predicted real token of the label's texts counts once). */
final class TokenNll {
    private TokenNll() {
    }

    /** Per label (alphabetical; unlabelled texts under ""), the mean −log p over its predicted tokens, with {@code hooks}. */
    static Map<String, Double> byLabel(TransformerLM model, Tokenizer tok, List<LabelledText> texts, int batchSize,
            int maxTokens, Hooks hooks) {
        Map<String, double[]> sums = new TreeMap<>(); // label → {Σ −log p, tokens}
        Passes.run(model, tok, texts, batchSize, maxTokens, () -> hooks, pass -> {
            NDArray logProbs = LogProbs.nextToken(pass.logits(), pass.enc().batch());
            float[] mask = LogProbs.defaultTargetMask(pass.enc().batch());
            float[] perText = LogProbs.sequence(logProbs, mask).toFloatArray();
            int width = pass.enc().batch().seqLen() - 1;
            for (int b = 0; b < perText.length; b++) {
                double tokens = 0;
                for (int t = 0; t < width; t++) {
                    tokens += mask[b * width + t];
                }
                String label = pass.texts().get(b).label();
                double[] s = sums.computeIfAbsent(label == null ? "" : label, k -> new double[2]);
                s[0] -= perText[b];
                s[1] += tokens;
            }
        });
        Map<String, Double> out = new TreeMap<>();
        sums.forEach((label, s) -> out.put(label, s[0] / s[1]));
        return out;
    }
}
