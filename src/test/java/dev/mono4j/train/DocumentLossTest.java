package dev.mono4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.data.TokenStream;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.LogProbs;
import dev.mono4j.model.ModelConfig;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.WordLevelTokenizers;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentLossTest {
    /** Padded batches give the same per-token mean as scoring each story alone, EOS included, BOS not. */
    @Test
    void batchedMeanEqualsOneStoryAtATime(@TempDir Path tmp) throws Exception {
        List<String> words = WordLevelTokenizers.words(20);
        List<String> docs = List.of("w1 w2 w3", "w4", "w5 w6 w7 w8 w9 w10", "w11 w12");
        try (Tokenizer tok = Tokenizer.load(WordLevelTokenizers.write(tmp.resolve("tokenizer.json"), words));
                TransformerLM model = TransformerLM.random(ModelConfig.llama(tok.vocabSize(), 32, 2, 4, 2, 64, 64, true), 3)) {
            double nll = 0;
            long tokens = 0;
            for (String d : docs) {
                long[] ids = tok.encode(d);
                long[] seq = java.util.Arrays.copyOf(ids, ids.length + 1);
                seq[ids.length] = WordLevelTokenizers.EOS;
                TokenBatch one = TokenBatch.of(seq);
                try (NDManager step = model.manager().newSubManager()) {
                    float[] lp = LogProbs.nextToken(model.forward(step, one, Hooks.none()), one).toFloatArray();
                    for (float x : lp) {
                        nll -= x;
                    }
                    tokens += lp.length;
                }
            }
            Path text = java.nio.file.Files.write(tmp.resolve("docs.txt"), docs);
            List<TokenBatch> batches = TokenStream.read(text, tok, WordLevelTokenizers.EOS).documentBatches(docs.size(), 3, 64);
            assertEquals(2, batches.size(), "four stories in batches of three, padded");
            assertEquals(nll / tokens, DocumentLoss.mean(model, batches), 1e-5);
            assertEquals(3 + 1 + 6 + 2 + 4, tokens, "words plus one EOS per story");
        }
    }
}
