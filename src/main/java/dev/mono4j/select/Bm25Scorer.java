package dev.mono4j.select;

import dev.mono4j.console.Progress;
import dev.mono4j.data.LabelledText;
import dev.mono4j.data.TextSource;
import dev.mono4j.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.CollectorManager;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Scorable;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.SimpleCollector;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * The BM25 baseline (the paper used the {@code bm25s} package, §3.2): Apache Lucene indexes the pool on disk
 * ({@value #INDEX} in the selection's folder, rebuilt by every run) with {@link BM25Similarity}'s defaults
 * (k1 = 1.2, b = 0.75) over {@link StandardAnalyzer} tokens (lower-cased, Lucene's English stop words dropped: our
 * choice); each target text is a
 * query of its distinct terms, and a sample's score is the mean of its BM25 scores over the targets: the lexical
 * counterpart of the prototype of Eq. 8 (our choice: the paper does not say how it pools several targets).
 *
 * <p>Memory: the index is on disk; the scores are one float per pool sample (4 MB for a million samples).
 */
final class Bm25Scorer implements PoolScorer {
    static final String INDEX = "bm25-index";
    private static final String TEXT = "text";
    private static final String POOL_INDEX = "pool_index";

    private final float[] scores;

    private Bm25Scorer(float[] scores) {
        this.scores = scores;
    }

    static Bm25Scorer open(List<LabelledText> targets, SelectMethod.Context context) {
        TextSource pool = context.pool();
        boolean progress = context.progress();
        Path dir = context.out().resolve(INDEX);
        try {
            AtomicFiles.deleteTree(dir);
            try (Analyzer analyzer = new StandardAnalyzer(EnglishAnalyzer.ENGLISH_STOP_WORDS_SET);
                    Directory d = FSDirectory.open(dir)) {
                index(pool, d, analyzer, progress);
                float[] scores = new float[pool.size()];
                try (DirectoryReader reader = DirectoryReader.open(d)) {
                    IndexSearcher searcher = new IndexSearcher(reader);
                    searcher.setSimilarity(new BM25Similarity());
                    for (LabelledText t : targets) {
                        BooleanQuery q = query(t.text(), analyzer);
                        if (!q.clauses().isEmpty()) {
                            searcher.search(q, new Accumulate(scores, 1f / targets.size()));
                        }
                    }
                }
                return new Bm25Scorer(scores);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("BM25 index in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void index(TextSource pool, Directory d, Analyzer analyzer, boolean progress) throws IOException {
        IndexWriterConfig c = new IndexWriterConfig(analyzer).setSimilarity(new BM25Similarity())
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        Progress bar = progress ? new Progress("bm25 index", pool.size(), "samples") : null;
        try (IndexWriter w = new IndexWriter(d, c)) {
            Iterator<LabelledText> it = pool.iterator();
            for (long i = 0; it.hasNext(); i++) {
                Document doc = new Document();
                doc.add(new TextField(TEXT, it.next().text(), Field.Store.NO));
                doc.add(new NumericDocValuesField(POOL_INDEX, i));
                w.addDocument(doc);
                if (bar != null && (i + 1) % 1024 == 0) {
                    bar.step(1024);
                }
            }
            if (bar != null) {
                bar.step(pool.size() % 1024);
            }
            w.commit();
        }
    }

    /** A target's distinct analysed terms, each a should-clause (BM25 of the text as a bag of words). */
    private static BooleanQuery query(String text, Analyzer analyzer) throws IOException {
        Set<String> terms = new LinkedHashSet<>();
        try (TokenStream ts = analyzer.tokenStream(TEXT, text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                terms.add(term.toString());
            }
            ts.end();
        }
        if (terms.size() > IndexSearcher.getMaxClauseCount()) {
            IndexSearcher.setMaxClauseCount(terms.size());
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (String t : terms) {
            b.add(new TermQuery(new Term(TEXT, t)), BooleanClause.Occur.SHOULD);
        }
        return b.build();
    }

    @Override
    public float[] score(long first, List<LabelledText> batch) {
        float[] s = new float[batch.size()];
        System.arraycopy(scores, Math.toIntExact(first), s, 0, s.length);
        return s;
    }

    /** Adds {@code weight} × each matching sample's score into {@code scores[pool_index]}; one collector, sequential. */
    private record Accumulate(float[] scores, float weight) implements CollectorManager<SimpleCollector, Void> {
        @Override
        public SimpleCollector newCollector() {
            return new SimpleCollector() {
                private NumericDocValues poolIndex;
                private Scorable scorer;

                @Override
                protected void doSetNextReader(LeafReaderContext context) throws IOException {
                    poolIndex = context.reader().getNumericDocValues(POOL_INDEX);
                }

                @Override
                public void setScorer(Scorable s) {
                    scorer = s;
                }

                @Override
                public void collect(int doc) throws IOException {
                    if (!poolIndex.advanceExact(doc)) {
                        throw new IllegalStateException("document " + doc + " has no pool index");
                    }
                    scores[Math.toIntExact(poolIndex.longValue())] += weight * scorer.score();
                }

                @Override
                public ScoreMode scoreMode() {
                    return ScoreMode.COMPLETE;
                }
            };
        }

        @Override
        public Void reduce(java.util.Collection<SimpleCollector> collectors) {
            return null;
        }
    }
}
