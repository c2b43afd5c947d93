package dev.mono4j.align;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mono4j.data.PreferencePairs.Prompt;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.GenerationConfig;
import dev.mono4j.model.Generator;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.testing.TinyModels;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** align eval samples its prompts in batches, and each prompt still gets the continuation it gets alone. */
class AlignEvalBatchTest {
    @TempDir
    Path tmp;

    @Test
    void batchedSamplingGivesEachPromptItsOwnContinuation() {
        Path dir = TinyModels.save(TinyModels.llama(), 5, tmp.resolve("m"));
        try (TransformerLM model = Checkpoint.loadCausal(dir, "this test"); Tokenizer tok = Tokenizer.load(dir)) {
            List<Prompt> prompts = new ArrayList<>();
            for (int i = 0; i < AlignEval.GENERATION_BATCH + 3; i++) { // two batches, the second partial
                prompts.add(new Prompt("p" + i, null, "w" + (i % 7) + " w" + (i % 5 + 10) + (i % 2 == 0 ? " w3" : ""),
                        Map.of()));
            }
            AlignEval eval = new AlignEval(6, 0.9, 17);
            AlignEval.Result r = eval.judge(model, tok, prompts, Set.of());
            for (int i = 0; i < prompts.size(); i++) {
                long[] ids = tok.encode(prompts.get(i).prompt());
                GenerationConfig alone = new GenerationConfig(6, 0.9, 0, 1, 17 + i, Set.of(), true);
                String expected = tok.decodeContinuation(ids, Generator.generate(model, ids, alone, Hooks.none()).text());
                assertEquals(expected, r.samples().get(i).continuation(), "prompt " + i);
            }
        }
    }
}
