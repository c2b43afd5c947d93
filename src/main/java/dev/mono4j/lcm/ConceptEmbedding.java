package dev.mono4j.lcm;

import dev.mono4j.UserInputException;
import dev.mono4j.console.Progress;
import dev.mono4j.data.Shuffle;
import dev.mono4j.io.NonFinite;
import dev.mono4j.model.Checkpoint;
import dev.mono4j.model.SentenceEmbeddings;
import dev.mono4j.model.TransformerEncoder;
import dev.mono4j.pull.ModelPull;
import dev.mono4j.tokenize.Tokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code lcm embed}: documents into a {@link ConceptCorpus}. Every distinct sentence (the end-of-document sentence
 * included) is embedded once, so the bank is deduplicated; documents become lists of bank indices; the normaliser
 * is fitted on the training documents. Embedding is one pass, so an interrupted run simply starts again (nothing is
 * written before it ends).
 */
public final class ConceptEmbedding {
    /** A label value for a sentence whose occurrences disagree (e.g. a ConceptWorld sentence seen in two domains). */
    public static final String MIXED = "mixed";

    /** Sentences into embeddings, one row each. */
    @FunctionalInterface
    public interface Embedder {
        float[][] embed(List<String> sentences);
    }

    /** The corpus and what was decided on the way, for {@code concepts.json}. */
    public record Result(ConceptCorpus corpus, Map<String, Object> settings) {
    }

    private ConceptEmbedding() {
    }

    /** Reads {@code cfg.data()}, embeds with {@code cfg.encoder()}, fits the normaliser. */
    public static Result run(ConceptEmbedConfig cfg, NonFinite nonFinite) {
        List<ConceptSource.RawDocument> docs = ConceptSource.read(cfg.data(), cfg.field());
        try (TransformerEncoder model = Checkpoint.loadEncoder(cfg.encoder(), "lcm embed", nonFinite);
                Tokenizer tok = Tokenizer.load(cfg.encoder())) {
            SentenceEmbeddings.Pooling pooling = ModelPull.poolingFor(cfg.encoder(), cfg.pooling());
            int maxTokens = model.config().tokenLimit(cfg.maxTokens());
            // Unit-norm embeddings, as sentence-transformers gives both pulled encoders (and as `embed` prints them).
            Embedder embedder = batch -> SentenceEmbeddings.embed(model, tok, batch, pooling, true, cfg.batchSize(),
                    maxTokens);
            Result r = build(docs, cfg, cfg.encoder().toString(), embedder);
            r.settings().put("pooling", pooling.name());
            r.settings().put("max_tokens", maxTokens);
            return r;
        }
    }

    /** The corpus of {@code docs}, embedded by {@code embedder} in batches of {@code cfg.batchSize()}. */
    public static Result build(List<ConceptSource.RawDocument> docs, ConceptEmbedConfig cfg, String encoderName,
            Embedder embedder) {
        Map<String, Integer> index = new LinkedHashMap<>();
        List<Map<String, String>> labels = new ArrayList<>();
        List<int[]> sentencesOf = new ArrayList<>();
        for (ConceptSource.RawDocument d : docs) {
            int[] ids = new int[d.sentences().size() + 1];
            for (int s = 0; s < d.sentences().size(); s++) {
                ids[s] = intern(d.sentences().get(s), d.labels().get(s), index, labels);
            }
            ids[ids.length - 1] = intern(ConceptSource.END_OF_TEXT, Map.of(), index, labels);
            sentencesOf.add(ids);
        }
        List<String> sentences = List.copyOf(index.keySet());
        ConceptCorpus.Split[] splits = splits(docs, cfg);
        String splitOrigin = cfg.resplit() || docs.get(0).split() == null ? "drawn (seed " + cfg.seed() + ")" : "file";

        float[] bank = embedAll(sentences, cfg.batchSize(), embedder);
        int dim = bank.length / sentences.size();
        List<ConceptCorpus.Document> documents = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            documents.add(new ConceptCorpus.Document(docs.get(i).id(), splits[i], sentencesOf.get(i)));
        }
        int end = index.get(ConceptSource.END_OF_TEXT);
        Normalizer normalizer = fitNormalizer(cfg.normalizer(), bank, dim, documents, end);
        ConceptCorpus corpus = new ConceptCorpus(encoderName, dim, bank, sentences, labels, documents, normalizer);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("data", cfg.data().toString());
        settings.put("field", cfg.field());
        settings.put("splits", splitOrigin);
        settings.put("normalizer", NormalizerFit.name(cfg.normalizer()));
        settings.put("normalizer_fit", "every occurrence of a sentence in the training documents, the end-of-document"
                + " sentence left out");
        return new Result(corpus, settings);
    }

    /**
     * The bank index of {@code sentence}, added when new; its labels merge with earlier occurrences': a label whose
     * values differ becomes {@link #MIXED}, and a label an occurrence lacks is kept from the others.
     */
    private static int intern(String sentence, Map<String, String> own, Map<String, Integer> index,
            List<Map<String, String>> labels) {
        Integer i = index.get(sentence);
        if (i == null) {
            index.put(sentence, labels.size());
            labels.add(new LinkedHashMap<>(own));
            return labels.size() - 1;
        }
        Map<String, String> seen = labels.get(i);
        own.forEach((k, v) -> seen.merge(k, v, (a, b) -> a.equals(b) ? a : MIXED));
        return i;
    }

    /**
     * Each document's split: the file's where it names one for every document (unless {@code resplit}); else a
     * seeded shuffle whose first {@code round(n · test)} documents are TEST, the next {@code round(n · valid)} VALID.
     */
    static ConceptCorpus.Split[] splits(List<ConceptSource.RawDocument> docs, ConceptEmbedConfig cfg) {
        int n = docs.size();
        ConceptCorpus.Split[] out = new ConceptCorpus.Split[n];
        long named = docs.stream().filter(d -> d.split() != null).count();
        if (!cfg.resplit() && named > 0) {
            if (named < n) {
                throw new UserInputException(cfg.data() + ": " + named + " of " + n + " documents name a split;"
                        + " name it on every line, or pass --resplit");
            }
            for (int i = 0; i < n; i++) {
                out[i] = docs.get(i).split();
            }
            return out;
        }
        int[] order = Shuffle.permutation(n, new SplittableRandom(cfg.seed()));
        int test = (int) Math.round(n * cfg.testFraction());
        int valid = (int) Math.round(n * cfg.validFraction());
        for (int k = 0; k < n; k++) {
            out[order[k]] = k < test ? ConceptCorpus.Split.TEST
                    : k < test + valid ? ConceptCorpus.Split.VALID : ConceptCorpus.Split.TRAIN;
        }
        return out;
    }

    private static float[] embedAll(List<String> sentences, int batchSize, Embedder embedder) {
        float[] bank = null;
        int dim = 0;
        Progress progress = new Progress("embed", sentences.size(), "sentences");
        for (int start = 0; start < sentences.size(); start += batchSize) {
            List<String> part = sentences.subList(start, Math.min(sentences.size(), start + batchSize));
            float[][] e = embedder.embed(part);
            if (bank == null) {
                dim = e[0].length;
                bank = new float[sentences.size() * dim];
            }
            for (int i = 0; i < e.length; i++) {
                System.arraycopy(e[i], 0, bank, (start + i) * dim, dim);
            }
            progress.step(part.size());
        }
        return bank;
    }

    /**
     * Fitted on every occurrence of a sentence in the training documents, as the authors' fitting script samples
     * the training data's sentence embeddings per document ({@code scripts/fit_embedding_normalizer.py} L48; we do not
     * down-sample). The end-of-document sentence is left out: their recipes add it when training
     * ({@code target_suffix_text}), after the fit.
     */
    private static Normalizer fitNormalizer(NormalizerFit.Method method, float[] bank, int dim,
            List<ConceptCorpus.Document> documents, int end) {
        List<Integer> rows = new ArrayList<>();
        for (ConceptCorpus.Document d : documents) {
            if (d.split() == ConceptCorpus.Split.TRAIN) {
                for (int s : d.sentences()) {
                    if (s != end) {
                        rows.add(s);
                    }
                }
            }
        }
        if (rows.isEmpty()) {
            throw new UserInputException("no training sentences to fit the normaliser on (every document is held out)");
        }
        float[] x = new float[rows.size() * dim];
        for (int r = 0; r < rows.size(); r++) {
            System.arraycopy(bank, rows.get(r) * dim, x, r * dim, dim);
        }
        return NormalizerFit.fit(method, x, rows.size(), dim);
    }
}
