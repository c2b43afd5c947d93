package dev.mono4j.select;

/**
 * How a sample's token vectors become one sample vector. MoNA averages (arXiv 2503.15573v2 Eq. 7); summing, its
 * ablation, favours long samples (App. D.5, Table 7: GSM8K 64.06 with the sum vs 67.93 with the mean).
 */
public enum Aggregation {
    MEAN,
    SUM
}
