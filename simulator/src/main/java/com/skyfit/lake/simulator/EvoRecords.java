package com.skyfit.lake.simulator;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.SplittableRandom;

/** Shared vocabulary of the simulated EVO records: the JSON mapper, money, names, and the random kinds. */
final class EvoRecords {
    /** Money keeps its two decimals ("129.90") and never turns into exponent notation. */
    static final ObjectMapper JSON = new ObjectMapper().setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    static final long MEMBER = 1, MEMBERSHIP = 2, MEMBERSHIPS = 3, SALE = 4, ITEMS = 5, INSTALLMENTS = 6,
            PAYMENT = 7, PROSPECT = 8, ENTRY = 9, BRANCH = 10, EMPLOYEE = 11, CONTACTS = 12;

    static final String[] FIRST = {"Ana", "Bruno", "Carla", "Diego", "Eduarda", "Felipe", "Gabriela", "Heitor",
        "Isabela", "João", "Larissa", "Marcos", "Natália", "Otávio", "Patrícia", "Rafael", "Sofia", "Thiago",
        "Vitória", "William"};
    static final String[] LAST = {"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves",
        "Pereira", "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Araújo"};
    static final String[][] CITIES = {{"São Paulo", "SP"}, {"Campinas", "SP"}, {"Rio de Janeiro", "RJ"},
        {"Belo Horizonte", "MG"}, {"Curitiba", "PR"}, {"Porto Alegre", "RS"}, {"Salvador", "BA"},
        {"Recife", "PE"}, {"Fortaleza", "CE"}, {"Goiânia", "GO"}};
    static final String[] PLANS = {"Monthly Smart", "Monthly Black", "Quarterly", "Semiannual", "Annual",
        "Student"};
    static final long[] PLAN_CENTS = {9990, 14990, 26970, 50940, 99880, 7990};
    static final String[] PRODUCTS = {"Water 500ml", "Protein bar", "Towel rental", "Personal training session",
        "Padlock"};
    static final long[] PRODUCT_CENTS = {500, 990, 1500, 12000, 3500};
    static final String[] PAYMENTS = {"CreditCard", "DebitCard", "Pix", "Boleto"};
    static final String[] RECEIVABLE_STATUS = {null, "Open", "Received", "Canceled", "Overdue"};
    static final String[] ORIGINS = {"Instagram", "Walk-in", "Website", "Referral", "Google"};
    static final String[] JOBS = {"Consultant", "Receptionist", "Instructor", "Manager"};

    private EvoRecords() {}

    static ObjectNode node() {
        return JSON.createObjectNode();
    }

    static BigDecimal money(long cents) {
        return BigDecimal.valueOf(cents, 2);
    }

    static String digits(SplittableRandom r, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append((char) ('0' + r.nextInt(10)));
        }
        return b.toString();
    }

    static String dayText(LocalDate day) {
        return EvoTime.text(EvoTime.second(day));
    }

    static String textOrNull(long second) {
        return second == Long.MIN_VALUE ? null : EvoTime.text(second);
    }

    static <T> T pick(SplittableRandom r, T[] values) {
        return values[r.nextInt(values.length)];
    }

    static String email(String first, String last, long id) {
        return (first + "." + last + "." + id + "@example.com").toLowerCase(java.util.Locale.ROOT)
                .replace('ã', 'a').replace('á', 'a').replace('é', 'e').replace('í', 'i').replace('ó', 'o')
                .replace('ô', 'o').replace('ú', 'u').replace('ç', 'c').replace('ú', 'u');
    }
}
