package dev.mono4j.data;

import java.util.random.RandomGenerator;

/** Fisher-Yates shuffles: every order equally likely, and the same order for the same generator state. */
public final class Shuffle {
    private Shuffle() {
    }

    /** Shuffles {@code a} in place, swapping from the last element down. */
    public static void inPlace(int[] a, RandomGenerator rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** A uniformly random permutation of {@code 0..n-1}. */
    public static int[] permutation(int n, RandomGenerator rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        inPlace(p, rng);
        return p;
    }
}
