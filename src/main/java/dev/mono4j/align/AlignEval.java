package dev.mono4j.align;

import dev.mono4j.console.Progress;
import dev.mono4j.data.PreferencePairs.Prompt;
import dev.mono4j.data.conceptworld.Judges;
import dev.mono4j.hooks.Hooks;
import dev.mono4j.io.NonFinite;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.GenerationConfig;
import dev.mono4j.model.Generator;
import dev.mono4j.model.TransformerLM;
import dev.mono4j.tokenize.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Evaluation of an aligned model, as the DecPO paper's Table 2: a continuation is sampled for each
 * held-out prompt and judged YES or NO by the ConceptWorld judge of the prompt's task; alignment % is the
 * YES rate. Prompts without a task (user data) are sampled but not judged; with a reference model, reward
 * accuracy and margin on the held-out pairs are added.
 *
 * @param maxNewTokens tokens sampled per prompt (default 25, the longest first sentence a judge accepts)
 * @param temperature  sampling temperature (default 1: the model's own distribution, which preference
 *                     training shapes; 0: greedy)
 * @param seed         prompt i is sampled with seed + i (default 0)
 * @param prompts      judge only the first this many prompts (default 0: all; a smaller number is for quick runs)
 */
public record AlignEval(int maxNewTokens, double temperature, long seed, int prompts) {
    public static final AlignEval DEFAULT = new AlignEval(Judges.MAX_TOKENS, 1.0, 0);

    public AlignEval {
        if (maxNewTokens < 1 || temperature < 0 || prompts < 0) {
            throw new IllegalArgumentException("max-new-tokens must be at least 1, temperature and prompts not negative");
        }
    }

    /** Every prompt judged. */
    /**
     * Prompts sampled together, left-padded with the KV cache (our choice): each keeps its own seed, so the batch
     * changes only floating-point rounding, not which continuation a prompt gets.
     */
    static final int GENERATION_BATCH = 8;

    public AlignEval(int maxNewTokens, double temperature, long seed) {
        this(maxNewTokens, temperature, seed, 0);
    }

    /** One prompt's continuation and verdict (null: no judge for its task). */
    public record Sample(String source, String prompt, String continuation, Boolean aligned) {
    }

    /**
     * @param alignment YES rate over judged prompts (NaN when none had a judge)
     * @param rewards   reward metrics on held-out pairs against the reference (null without one)
     */
    public record Result(double alignment, int judged, PairLogProbs.Rewards rewards, List<Sample> samples) {
    }

    /** Samples and judges {@code prompts} with the model; {@code stops} end a continuation (the model's eos). */
    public Result judge(TransformerLM model, Tokenizer tok, List<Prompt> all, Set<Long> stops) {
        return judge(model, tok, all, stops, Hooks.none());
    }

    /** As {@link #judge(TransformerLM, Tokenizer, List, Set)}, sampling with {@code hooks}' interventions (an ablation). */
    public Result judge(TransformerLM model, Tokenizer tok, List<Prompt> all, Set<Long> stops, Hooks hooks) {
        List<Prompt> prompts = this.prompts == 0 ? all : all.subList(0, Math.min(this.prompts, all.size()));
        List<Sample> samples = new ArrayList<>();
        int judged = 0;
        int yes = 0;
        Progress progress = new Progress("align eval", prompts.size(), "prompts");
        GenerationConfig g = new GenerationConfig(maxNewTokens, temperature, 0, 1, seed, stops, true);
        for (int from = 0; from < prompts.size(); from += GENERATION_BATCH) {
            int to = Math.min(prompts.size(), from + GENERATION_BATCH);
            List<long[]> ids = new ArrayList<>();
            long[] seeds = new long[to - from];
            for (int i = from; i < to; i++) {
                ids.add(tok.encode(prompts.get(i).prompt()));
                seeds[i - from] = seed + i; // prompt i's own seed, as when prompts were sampled one by one
            }
            List<Generator.Result> results = Generator.generate(model, ids, g, seeds, hooks);
            for (int i = from; i < to; i++) {
                Prompt p = prompts.get(i);
                String continuation = tok.decodeContinuation(ids.get(i - from), results.get(i - from).text());
                Boolean verdict = p.task() == null ? null : Judges.judge(p.task(), p.meta(), continuation);
                if (verdict != null) {
                    judged++;
                    yes += verdict ? 1 : 0;
                }
                samples.add(new Sample(p.source(), p.prompt(), continuation, verdict));
            }
            progress.step(to - from);
        }
        return new Result(judged == 0 ? Double.NaN : (double) yes / judged, judged, null, samples);
    }

    /**
     * Judges the model in {@code modelDir} on the data's prompts and, when {@code referenceDir} is given, adds
     * reward metrics on the held-out pairs with {@code cfg}'s β, log-prob mode and batching. {@code nonFinite}:
     * whether NaN or ±Inf weights load.
     */
    public Result run(Path modelDir, Path referenceDir, AlignData data, AlignConfig cfg, NonFinite nonFinite) {
        try (Tokenizer tok = Tokenizer.load(modelDir);
                TransformerLM model = Checkpoint.loadCausal(modelDir, "alignment evaluation", nonFinite)) {
            data.checkVocabulary(tok);
            Result judged = judge(model, tok, data.prompts(), Checkpoint.defaultStopTokens(modelDir, model.config()));
            if (referenceDir == null) {
                return judged;
            }
            PairLogProbs policy = PairLogProbs.of(model, tok, data.eval(), cfg);
            PairLogProbs ref;
            try (TransformerLM reference = Checkpoint.loadCausal(referenceDir, "alignment evaluation", nonFinite)) {
                ref = PairLogProbs.of(reference, tok, data.eval(), cfg);
            }
            return new Result(judged.alignment(), judged.judged(), policy.rewards(ref, cfg.beta(), cfg.logp()), judged.samples());
        }
    }
}
