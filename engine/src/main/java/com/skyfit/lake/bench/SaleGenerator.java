package com.skyfit.lake.bench;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.SplittableRandom;

/**
 * Deterministic EVO-sale-like records of about 1 KB of JSON: the shape of the sales endpoint
 * ({@code idSale, idMember, idBranch, saleDate, removed, saleItens[], receivables[]}, including the
 * API's own spellings), with nested items, so a benchmark moves realistic bytes. Record i is the same
 * on every run.
 */
public final class SaleGenerator {
    private static final String[] PLANS = {"PLANO ANUAL RECORRENTE", "PLANO MENSAL", "PLANO SEMESTRAL FIT",
        "DIARIA", "PERSONAL 10 AULAS", "PLANO BLACK ANUAL"};
    private static final String[] PAYMENTS = {"Cartão de crédito", "Boleto", "Pix", "Dinheiro", "Débito em conta"};
    private static final String[] STATUSES = {"Em aberto", "Recebido", "Cancelado", "Em atraso"};
    private static final LocalDateTime EPOCH = LocalDateTime.of(2022, 1, 1, 6, 0);

    private SaleGenerator() {}

    /** The JSON line of record i, without the newline. */
    public static byte[] sale(long i) {
        SplittableRandom r = new SplittableRandom(0x5EED_5A1EL + i * 0x9E3779B97F4A7C15L);
        LocalDateTime when = EPOCH.plusMinutes(i * 7 % (3L * 365 * 24 * 60));
        int branch = 1 + (int) (i % 12);
        long member = 100_000 + r.nextLong(2_400_000);
        StringBuilder sb = new StringBuilder(1200);
        sb.append("{\"idSale\":").append(5_000_000 + i)
                .append(",\"idMember\":").append(member)
                .append(",\"idProspect\":null")
                .append(",\"idBranch\":").append(branch)
                .append(",\"branchName\":\"SkyFit Unidade ").append(branch).append('"')
                .append(",\"idEmployeeSale\":").append(2000 + r.nextInt(300))
                .append(",\"nameEmployeeSale\":\"Consultor ").append(r.nextInt(300)).append('"')
                .append(",\"saleDate\":\"").append(when).append(":00\"")
                .append(",\"removed\":").append(r.nextInt(40) == 0)
                .append(",\"removalDate\":null")
                .append(",\"idSaleSource\":").append(1 + r.nextInt(4))
                .append(",\"observations\":\"Venda ").append(i).append(" realizada na recep\\u00e7\\u00e3o\"")
                .append(",\"saleItens\":[");
        int items = 1 + r.nextInt(2);
        double total = 0;
        for (int k = 0; k < items; k++) {
            double value = 49.9 + r.nextInt(1500);
            double discount = r.nextInt(4) == 0 ? Math.round(value * 10) / 100.0 : 0;
            total += value - discount;
            LocalDate start = when.toLocalDate().plusDays(r.nextInt(10));
            sb.append(k == 0 ? "" : ",")
                    .append("{\"idSaleItem\":").append((5_000_000 + i) * 4 + k)
                    .append(",\"idMembership\":").append(300 + r.nextInt(60))
                    .append(",\"description\":\"").append(PLANS[r.nextInt(PLANS.length)]).append('"')
                    .append(",\"itemValue\":").append(money(value))
                    .append(",\"saleValue\":").append(money(value - discount))
                    .append(",\"discount\":").append(money(discount))
                    .append(",\"quantity\":1")
                    .append(",\"membershipStartDate\":\"").append(start).append("\"}");
        }
        sb.append("],\"receivables\":[");
        int installments = 1 + r.nextInt(3);
        for (int k = 0; k < installments; k++) {
            LocalDate due = when.toLocalDate().plusMonths(k);
            int status = r.nextInt(STATUSES.length);
            sb.append(k == 0 ? "" : ",")
                    .append("{\"idReceivable\":").append((5_000_000 + i) * 8 + k)
                    .append(",\"ammount\":").append(money(total / installments))
                    .append(",\"ammountPaid\":").append(status == 1 ? money(total / installments) : "0.0")
                    .append(",\"dueDate\":\"").append(due).append("T00:00:00\"")
                    .append(",\"receivingDate\":").append(status == 1 ? "\"" + due + "T10:00:00\"" : "null")
                    .append(",\"currentInstallment\":").append(k + 1)
                    .append(",\"totalInstallments\":").append(installments)
                    .append(",\"status\":{\"id\":").append(status + 1).append(",\"name\":\"")
                    .append(STATUSES[status]).append("\"}")
                    .append(",\"paymentType\":{\"id\":").append(1 + r.nextInt(PAYMENTS.length)).append(",\"name\":\"")
                    .append(PAYMENTS[r.nextInt(PAYMENTS.length)]).append("\"}}");
        }
        sb.append("]}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String money(double v) {
        return Double.toString(Math.round(v * 100) / 100.0);
    }
}
