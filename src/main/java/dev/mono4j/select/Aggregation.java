package dev.mono4j.select;

import dev.mono4j.data.EncodedTexts;

/**
 * How a sample's token vectors become one sample vector. MoNA averages (arXiv 2503.15573v2 Eq. 7); summing, its
 * ablation, favours long samples (App. D.5, Table 7: GSM8K 64.06 with the sum vs 67.93 with the mean).
 */
public enum Aggregation {
    MEAN(EncodedTexts.RowPooling.MEAN),
    SUM(EncodedTexts.RowPooling.SUM);

    private final EncodedTexts.RowPooling rows;

    Aggregation(EncodedTexts.RowPooling rows) {
        this.rows = rows;
    }

    /** The pooling of a batch's token rows that computes it. */
    EncodedTexts.RowPooling rows() {
        return rows;
    }
}
