package com.skyfit.lake.staging;

/**
 * Which JSON numbers jsonb refuses. Any JSON number is valid JSON, but jsonb stores numbers as
 * PostgreSQL numeric, which fails with "value overflows numeric format" when the first significant
 * digit lies 131072 or more places before the decimal point (weight above 32767 base-10000 digits),
 * or when the number has more than 16383 digits after it (its display scale: the written fraction
 * digits minus the exponent, trailing zeros included). So {@code 1e131071} loads and {@code 1e131072}
 * does not, {@code 1e-16383} loads and {@code 1.5e-16383} does not, {@code 0e1000000} loads and
 * {@code 0e-1000000} does not (boundaries measured on PostgreSQL 17).
 */
final class JsonbNumbers {
    private static final long MAX_WEIGHT = 32767;
    private static final long MAX_SCALE = 16383;
    /** Any exponent beyond this is out of range whatever the digits (a line is at most 128 MiB). */
    private static final long EXPONENT_CLAMP = 1L << 40;

    private JsonbNumbers() {}

    /** Why jsonb refuses the number (given as valid JSON number text), or null when it takes it. */
    static String problem(String number) {
        int i = number.startsWith("-") ? 1 : 0;
        int n = number.length();
        int intStart = i;
        while (i < n && isDigit(number.charAt(i))) {
            i++;
        }
        int intEnd = i;
        int fracStart = i;
        int fracEnd = i;
        if (i < n && number.charAt(i) == '.') {
            fracStart = ++i;
            while (i < n && isDigit(number.charAt(i))) {
                i++;
            }
            fracEnd = i;
        }
        long exponent = 0;
        if (i < n && (number.charAt(i) == 'e' || number.charAt(i) == 'E')) {
            i++;
            boolean negative = false;
            if (i < n && (number.charAt(i) == '+' || number.charAt(i) == '-')) {
                negative = number.charAt(i) == '-';
                i++;
            }
            for (; i < n; i++) {
                exponent = Math.min(EXPONENT_CLAMP, exponent * 10 + (number.charAt(i) - '0'));
            }
            exponent = negative ? -exponent : exponent;
        }
        long scale = Math.max(0, (fracEnd - fracStart) - exponent);
        if (scale > MAX_SCALE) {
            return "number " + abbreviate(number) + " has more than " + MAX_SCALE
                    + " digits after the decimal point, more than jsonb can store";
        }
        long position = Long.MIN_VALUE; // decimal position of the first significant digit (0 = units)
        for (int k = intStart; k < intEnd && position == Long.MIN_VALUE; k++) {
            if (number.charAt(k) != '0') {
                position = (intEnd - 1 - k) + exponent;
            }
        }
        for (int k = fracStart; k < fracEnd && position == Long.MIN_VALUE; k++) {
            if (number.charAt(k) != '0') {
                position = -(k - fracStart + 1) + exponent;
            }
        }
        if (position != Long.MIN_VALUE && Math.floorDiv(position, 4) > MAX_WEIGHT) {
            return "number " + abbreviate(number) + " is too large for jsonb (numeric holds up to 131072 digits"
                    + " before the decimal point)";
        }
        return null;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String abbreviate(String number) {
        return number.length() <= 40 ? number : number.substring(0, 20) + "..." + number.substring(number.length() - 12)
                + " (" + number.length() + " characters)";
    }
}
