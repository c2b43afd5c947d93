package dev.mono4j.lcm;

/**
 * What a trained LCM's folder records beside its weights ({@value #FILE}): which kind it is, what it was trained on
 * (so evaluation can refuse another encoder or width), and how it predicts.
 *
 * @param kind            "base-lcm" or "two-tower"
 * @param encoder         the concept corpus's encoder, as {@code lcm embed} recorded it
 * @param dim             the embeddings' width
 * @param concepts        the concept folder it was trained on
 * @param context         the most context sentences it reads (older ones are dropped)
 * @param diffusionSteps  two-tower: training timesteps T (0 for Base-LCM)
 * @param inferenceSteps  two-tower: DDIM steps when predicting
 * @param guidanceScale   two-tower: classifier-free guidance scale (1: none)
 * @param denoiserLayers  two-tower: the denoiser's layers
 * @param denoiserHeads   two-tower: the denoiser's cross-attention heads
 */
public record LcmSettings(String kind, String encoder, int dim, String concepts, int context, int diffusionSteps,
        int inferenceSteps, double guidanceScale, int denoiserLayers, int denoiserHeads) {
    public static final String FILE = "lcm.json";
    public static final String BASE = "base-lcm";
    public static final String TWO_TOWER = "two-tower";

    public boolean twoTower() {
        return kind.equals(TWO_TOWER);
    }
}
