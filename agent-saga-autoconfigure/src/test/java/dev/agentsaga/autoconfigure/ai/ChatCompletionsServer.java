package dev.agentsaga.autoconfigure.ai;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A local OpenAI chat-completions server for the real OpenAI client: {@code POST /chat/completions}
 * answered with scripted turns, in order; a request past the script gets an HTTP 400. It keeps every
 * request body.
 */
final class ChatCompletionsServer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpServer server;

    private final Deque<String> script = new ArrayDeque<>();

    private final List<JsonNode> requests = new ArrayList<>();

    private ChatCompletionsServer(HttpServer server) {
        this.server = server;
    }

    /** Starts a server on a free local port. */
    static ChatCompletionsServer start() {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ChatCompletionsServer stub = new ChatCompletionsServer(http);
            http.createContext("/chat/completions", stub::answer);
            http.start();
            return stub;
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not start the chat-completions server", ex);
        }
    }

    /** The base URL for the client, {@code http://127.0.0.1:port} (the client appends the path). */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A turn in which the model asks for one tool call. */
    synchronized ChatCompletionsServer toolCall(String id, String name, String arguments, int in, int out) {
        ObjectNode message = JSON.createObjectNode().put("role", "assistant").putNull("content").putNull("refusal");
        ObjectNode call = message.putArray("tool_calls").addObject().put("id", id).put("type", "function");
        call.putObject("function").put("name", name).put("arguments", arguments);
        script.add(completion(message, "tool_calls", in, out));
        return this;
    }

    /** A turn in which the model answers with text. */
    synchronized ChatCompletionsServer answer(String text, int in, int out) {
        script.add(completion(JSON.createObjectNode().put("role", "assistant").put("content", text).putNull("refusal"),
                "stop", in, out));
        return this;
    }

    /** The bodies of the requests received, in order. */
    synchronized List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String response;
        int status;
        synchronized (this) {
            requests.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
            response = script.poll();
            status = response == null ? 400 : 200;
            if (response == null) {
                response = "{\"error\":{\"message\":\"request " + requests.size() + " is past the script\","
                        + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}";
            }
        }
        byte[] body = response.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private String completion(ObjectNode message, String finishReason, int in, int out) {
        ObjectNode root = JSON.createObjectNode().put("id", "chatcmpl-" + (script.size() + 1))
                .put("object", "chat.completion").put("created", 1_767_225_600L).put("model", "gpt-stub");
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
        choice.set("message", message);
        choice.putNull("logprobs").put("finish_reason", finishReason);
        root.putObject("usage").put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in + out);
        return root.toString();
    }
}
