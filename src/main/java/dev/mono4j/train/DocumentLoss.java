package dev.mono4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mono4j.data.TokenBatch;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.model.LogProbs;
import dev.mono4j.model.TransformerLM;
import java.util.List;

/**
 * Mean next-token NLL over whole documents ({@link dev.mono4j.data.TokenStream#documentBatches}: each
 * from its BOS through its EOS), every token after BOS predicted once with its full document as context.
 * This is the quantity an exact entropy floor (ConceptWorld's) bounds. Training windows are not: a window cut at its end over-represents document
 * openings, which are easier than the average token, so its loss can fall below the floor.
 */
public final class DocumentLoss {
    private DocumentLoss() {
    }

    /**
     * Mean next-token NLL per predicted token over padded batches: a token counts when it and its context
     * position are real (so BOS and padding do not), and each counts once, whatever its row's length.
     */
    public static double mean(TransformerLM model, List<TokenBatch> batches) {
        double nll = 0;
        long tokens = 0;
        for (TokenBatch batch : batches) {
            float[] mask = LogProbs.defaultTargetMask(batch);
            try (NDManager step = model.manager().newSubManager()) {
                NDArray logits = model.forward(step, batch, Hooks.none());
                nll -= LogProbs.sequence(LogProbs.nextToken(logits, batch), mask).sum().getFloat();
            }
            for (float m : mask) {
                tokens += (long) m;
            }
        }
        return nll / tokens;
    }
}
