package com.skyfit.lake.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/** The HTTP binding's request and response, as the worker hands them to a function. */
final class FakeHttp {
    private FakeHttp() {}

    static HttpRequestMessage<Optional<String>> request(HttpMethod method, String path, String body, Map<String, String> query) {
        return new HttpRequestMessage<>() {
            @Override
            public URI getUri() {
                return URI.create("http://localhost:7071" + path);
            }

            @Override
            public HttpMethod getHttpMethod() {
                return method;
            }

            @Override
            public Map<String, String> getHeaders() {
                return Map.of("content-type", "application/json");
            }

            @Override
            public Map<String, String> getQueryParameters() {
                return query;
            }

            @Override
            public Optional<String> getBody() {
                return Optional.ofNullable(body);
            }

            @Override
            public HttpResponseMessage.Builder createResponseBuilder(HttpStatus status) {
                return new Response(status);
            }

            @Override
            public HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status) {
                return new Response(status);
            }
        };
    }

    static final class Response implements HttpResponseMessage, HttpResponseMessage.Builder {
        private HttpStatusType status;
        private final Map<String, String> headers = new HashMap<>();
        private Object body;

        Response(HttpStatusType status) {
            this.status = status;
        }

        @Override
        public Builder status(HttpStatusType s) {
            status = s;
            return this;
        }

        @Override
        public Builder header(String key, String value) {
            headers.put(key, value);
            return this;
        }

        @Override
        public Builder body(Object b) {
            body = b;
            return this;
        }

        @Override
        public HttpResponseMessage build() {
            return this;
        }

        @Override
        public HttpStatusType getStatus() {
            return status;
        }

        @Override
        public String getHeader(String key) {
            return headers.get(key);
        }

        @Override
        public Object getBody() {
            return body;
        }
    }

    static ExecutionContext context(String functionName) {
        return new ExecutionContext() {
            @Override
            public Logger getLogger() {
                return Logger.getLogger(functionName);
            }

            @Override
            public String getInvocationId() {
                return "test-invocation";
            }

            @Override
            public String getFunctionName() {
                return functionName;
            }
        };
    }
}
