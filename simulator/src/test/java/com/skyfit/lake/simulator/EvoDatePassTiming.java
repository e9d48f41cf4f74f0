package com.skyfit.lake.simulator;

import java.time.LocalDate;
import java.util.List;

/**
 * Times the date-pass requests the lake sends to the simulated EVO over HTTP, as a bench size would: sales by
 * removalDate a day at a time, prospects by conversionDate and contracts by cancelDate a week at a time, every
 * page of each window. Arguments: entries days [stride] [branches] [cache MB]; a stride above 1 reads only every
 * stride-th window of each pass (the full sequence costs about stride times as much). Not a test: run it with
 * the module's test classes and jackson on the class path, {@code -Xmx1g} as the bench's simulator process.
 */
final class EvoDatePassTiming {
    private record Pass(String path, String filter, int take, int windowDays, String extra) {}

    private static final List<Pass> PASSES = List.of(
            new Pass("/api/v2/sales", "removalDate", 100, 1, "&showReceivables=true"),
            new Pass("/api/v1/prospects", "conversionDate", 50, 7, ""),
            new Pass("/api/v2/membermembership", "cancelDate", 25, 7, ""));

    private EvoDatePassTiming() {}

    public static void main(String[] args) {
        long entries = Long.parseLong(args[0]);
        int days = Integer.parseInt(args[1]);
        int stride = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int branches = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int cacheMb = args.length > 4 ? Integer.parseInt(args[4]) : 256;
        LocalDate first = LocalDate.parse("2024-01-01");
        try (EvoSimulator sim = EvoSimulator.builder().scopes("bench").branches(branches).entries(entries).seed(42)
                .days(first, days).cacheMegabytes(cacheMb).requestsPerMinute(0).start()) {
            EvoApi api = new EvoApi(sim, "bench");
            long all = System.nanoTime();
            for (Pass p : PASSES) {
                long t0 = System.nanoTime();
                long records = 0;
                long requests = 0;
                for (int d = 0; d < days; d += p.windowDays() * stride) {
                    long w0 = System.nanoTime();
                    long r0 = requests;
                    LocalDate lo = first.plusDays(d);
                    LocalDate hi = first.plusDays(Math.min(days - 1, d + p.windowDays() - 1L));
                    String q = p.filter() + "Start=" + lo + "T00:00:00&" + p.filter() + "End=" + hi + "T23:59:59" + p.extra();
                    for (int skip = 0; ; skip += p.take()) {
                        int n = api.json(p.path() + "?take=" + p.take() + "&skip=" + skip + "&" + q).size();
                        records += n;
                        requests++;
                        if (n < p.take()) {
                            break;
                        }
                    }
                    System.out.printf("  %s %s: %d requests, %.2f s%n", p.filter(), lo, requests - r0,
                            (System.nanoTime() - w0) / 1e9);
                }
                System.out.printf("%s by %s: %d requests, %d records, %.1f s%n", p.path(), p.filter(), requests, records,
                        (System.nanoTime() - t0) / 1e9);
            }
            System.out.printf("all date passes over %d days: %.1f s%n", days, (System.nanoTime() - all) / 1e9);
        }
    }
}
