package com.skyfit.lake.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** A plain HTTP client of the simulated EVO API for tests: Basic auth, one GET, or every page of a list. */
final class EvoApi {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final String baseUrl;
    private final String user;
    private final String password;

    EvoApi(EvoSimulator sim, String scope) {
        this(sim.baseUrl(), sim.dns(scope), sim.secret(scope));
    }

    EvoApi(String baseUrl, String user, String password) {
        this.baseUrl = baseUrl;
        this.user = user;
        this.password = password;
    }

    HttpResponse<String> get(String pathAndQuery) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).GET();
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode json(String pathAndQuery) {
        HttpResponse<String> r = get(pathAndQuery);
        if (r.statusCode() != 200) {
            throw new IllegalStateException(r.statusCode() + " " + r.body());
        }
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every page of a list until a short one, as a client must read it; {@code query} without take/skip. */
    List<JsonNode> all(String path, String query, int take) {
        List<JsonNode> out = new ArrayList<>();
        for (int skip = 0; ; skip += take) {
            JsonNode page = json(path + "?take=" + take + "&skip=" + skip + (query.isEmpty() ? "" : "&" + query));
            page.forEach(out::add);
            if (page.size() < take) {
                return out;
            }
        }
    }
}
