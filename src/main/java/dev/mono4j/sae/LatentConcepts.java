package dev.mono4j.sae;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What each latent fires on, from token labels and contexts: for ConceptWorld, each latent's concept purity
 * (the share of its firings on concept tokens that fall on its most frequent concept), and for any text the
 * contexts of its strongest activations. Memory: one count per (latent, concept seen) and {@code top} contexts
 * per latent.
 */
public final class LatentConcepts {
    /** Latents with fewer firings on concept tokens get no purity (too little evidence). */
    public static final int MIN_CONCEPT_FIRINGS = 10;

    /** One of a latent's strongest activations: its value and the text around the token, the token last. */
    public record Context(float activation, String text) {
    }

    /** One latent: firings, firings on concept tokens, its top concept and purity (NaN without evidence), contexts. */
    public record Latent(int index, long firings, long conceptFirings, String concept, double purity,
            List<Context> topContexts) {
    }

    /** Summary over latents with a purity: how many, mean purity, share at purity ≥ 0.9. */
    public record Purity(int latentsWithEvidence, double meanPurity, double shareAbove90) {
    }

    private final int top;
    private final long[] firings;
    private final List<Map<String, Long>> byConcept = new ArrayList<>();
    private final List<List<Context>> contexts = new ArrayList<>();

    public LatentConcepts(int latents, int top) {
        this.top = top;
        this.firings = new long[latents];
        for (int i = 0; i < latents; i++) {
            byConcept.add(new HashMap<>(4));
            contexts.add(new ArrayList<>(top + 1));
        }
    }

    /**
     * Adds one token: its latent activations {@code f} (length d_sae), its concept (or null), and a supplier of its
     * context text, called only when one of its activations enters a latent's top list.
     */
    public void add(float[] f, int offset, String concept, java.util.function.Supplier<String> context) {
        String text = null;
        for (int i = 0; i < firings.length; i++) {
            float v = f[offset + i];
            if (v <= 0) {
                continue;
            }
            firings[i]++;
            if (concept != null) {
                byConcept.get(i).merge(concept, 1L, Long::sum);
            }
            List<Context> c = contexts.get(i);
            if (c.size() < top || v > c.get(c.size() - 1).activation()) {
                text = text == null ? context.get() : text;
                c.add(new Context(v, text));
                c.sort(Comparator.comparingDouble(Context::activation).reversed());
                if (c.size() > top) {
                    c.remove(top);
                }
            }
        }
    }

    public List<Latent> latents() {
        List<Latent> out = new ArrayList<>();
        for (int i = 0; i < firings.length; i++) {
            long onConcepts = byConcept.get(i).values().stream().mapToLong(Long::longValue).sum();
            // Ties go to the alphabetically first concept, so results do not depend on hash order.
            Map.Entry<String, Long> best = byConcept.get(i).entrySet().stream()
                    .max(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
                    .orElse(null);
            double purity = onConcepts >= MIN_CONCEPT_FIRINGS ? (double) best.getValue() / onConcepts : Double.NaN;
            out.add(new Latent(i, firings[i], onConcepts, best == null ? null : best.getKey(), purity,
                    List.copyOf(contexts.get(i))));
        }
        return out;
    }

    /** The purity summary of {@link #latents()}' result. */
    public static Purity purity(List<Latent> latents) {
        int n = 0;
        double sum = 0;
        int high = 0;
        for (Latent l : latents) {
            if (!Double.isNaN(l.purity())) {
                n++;
                sum += l.purity();
                high += l.purity() >= 0.9 ? 1 : 0;
            }
        }
        return new Purity(n, n == 0 ? Double.NaN : sum / n, n == 0 ? Double.NaN : (double) high / n);
    }
}
