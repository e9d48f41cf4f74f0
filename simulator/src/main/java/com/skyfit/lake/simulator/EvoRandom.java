package com.skyfit.lake.simulator;

import java.util.SplittableRandom;

/** Seeded randomness addressed by (seed, kind, key): any record can be generated again alone, in any order. */
final class EvoRandom {
    private EvoRandom() {}

    static long mix(long a, long b, long c) {
        long z = a * 0x9E3779B97F4A7C15L + b;
        z = (z ^ (z >>> 31)) * 0xBF58476D1CE4E5B9L + c;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static double unit(long hash) {
        return (hash >>> 11) * 0x1.0p-53;
    }

    static SplittableRandom of(long seed, long kind, long key) {
        return new SplittableRandom(mix(seed, kind, key));
    }

    /** A small count in [1, max] fixed by the key, known without generating the record. */
    static int count(long seed, long kind, long key, int max) {
        return 1 + (int) Math.floorMod(mix(seed, kind, key), (long) max);
    }
}
