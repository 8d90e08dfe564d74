package dev.agentsaga.autoconfigure.app;

import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.EntityExchangeResult;
import org.springframework.test.web.servlet.client.RestTestClient;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;

/** Plain HTTP calls to the running application; answers of any status are returned, never thrown. */
final class ActuatorHttp {

    private final RestTestClient client;

    ActuatorHttp(int port) {
        this.client = RestTestClient.bindToServer().baseUrl("http://localhost:" + port).build();
    }

    Response get(String path) {
        return Response.of(client.get().uri(path).exchange().returnResult(String.class));
    }

    /** A POST with an empty JSON object, for operations that take no arguments. */
    Response post(String path) {
        return post(path, "{}");
    }

    Response post(String path, String json) {
        return Response.of(client.post().uri(path).contentType(MediaType.APPLICATION_JSON).body(json).exchange()
                .returnResult(String.class));
    }

    /** A status and a body. */
    record Response(int status, String body) {

        static Response of(EntityExchangeResult<String> result) {
            String body = result.getResponseBody();
            return new Response(result.getStatus().value(), body == null ? "" : body);
        }

        DocumentContext json() {
            return JsonPath.parse(body);
        }

        <T> T read(String path, Class<T> type) {
            return json().read(path, type);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}
