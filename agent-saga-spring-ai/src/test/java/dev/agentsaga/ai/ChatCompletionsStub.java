package dev.agentsaga.ai;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;

import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A local OpenAI chat-completions server for the real {@link OpenAiChatModel}: it answers
 * {@code POST /chat/completions} with scripted turns, in order, and keeps every request body it received.
 * A request that finds the script used up gets an HTTP 400 (the client does not retry it) and is counted
 * as unscripted, so a test sees a model call that should not have happened.
 *
 * <p>The base URL includes no version path: the OpenAI SDK appends {@code /chat/completions} to it.
 */
public final class ChatCompletionsStub implements AutoCloseable {

    /** The model name the stub reports and the client is configured with. */
    public static final String MODEL = "gpt-stub";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final MockWebServer server = new MockWebServer();

    private final Deque<Turn> script = new ArrayDeque<>();

    private final List<String> bodies = new ArrayList<>();

    private final AtomicInteger unscripted = new AtomicInteger();

    private @Nullable Turn repeated;

    private int answered;

    private int repeats;

    private ChatCompletionsStub() {
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer(request);
            }
        });
    }

    /** Starts a stub on a free local port. */
    public static ChatCompletionsStub start() {
        ChatCompletionsStub stub = new ChatCompletionsStub();
        try {
            stub.server.start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not start the chat-completions stub", ex);
        }
        return stub;
    }

    /** Appends turns to the script; each request takes the next one. */
    public synchronized ChatCompletionsStub script(Turn... turns) {
        script.addAll(List.of(turns));
        return this;
    }

    /**
     * The turn answered to every request once the script is used up (a model stuck in a loop); its tool
     * call ids get a suffix {@code -1}, {@code -2}, ... as a real model gives each call an id of its own.
     */
    public synchronized ChatCompletionsStub thenRepeat(Turn turn) {
        this.repeated = Objects.requireNonNull(turn, "turn must not be null");
        return this;
    }

    /** {@code http://127.0.0.1:port}, the client's base URL. */
    public String baseUrl() {
        String url = server.url("/").toString();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The real Spring AI OpenAI client pointed at this stub. */
    public OpenAiChatModel chatModel() {
        return chatModel(baseUrl());
    }

    /**
     * The real client pointed at this stub, its default options (model, temperature, ...) changed by
     * {@code defaults}: what a change of {@code spring.ai.openai.chat.options.*} gives.
     */
    public OpenAiChatModel chatModel(UnaryOperator<OpenAiChatOptions.Builder> defaults) {
        return chatModel(baseUrl(), defaults);
    }

    /** The real Spring AI OpenAI client pointed at a stub's base URL, with a dummy key and no retries. */
    public static OpenAiChatModel chatModel(String baseUrl) {
        return chatModel(baseUrl, UnaryOperator.identity());
    }

    private static OpenAiChatModel chatModel(String baseUrl, UnaryOperator<OpenAiChatOptions.Builder> defaults) {
        OpenAiChatOptions.Builder options = OpenAiChatOptions.builder()
                .baseUrl(baseUrl)
                .apiKey("sk-dummy-not-a-key")
                .model(MODEL)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(10));
        return OpenAiChatModel.builder().options(defaults.apply(options).build()).build();
    }

    /** How many chat-completions requests arrived, scripted or not. */
    public synchronized int requestCount() {
        return bodies.size();
    }

    /** How many requests arrived after the script was used up (and got an error). */
    public int unscriptedRequests() {
        return unscripted.get();
    }

    /** How many scripted turns are still unanswered. */
    public synchronized int remainingTurns() {
        return script.size();
    }

    /** The body of the {@code n}-th request, counting from 1. */
    public synchronized JsonNode request(int n) {
        if (n < 1 || n > bodies.size()) {
            throw new AssertionError("The stub received " + bodies.size() + " requests, there is no request " + n);
        }
        return JSON.readTree(bodies.get(n - 1));
    }

    /** The raw body of the {@code n}-th request, counting from 1. */
    public synchronized String requestBody(int n) {
        request(n);
        return bodies.get(n - 1);
    }

    /** The bodies of all requests, in order of arrival. */
    public synchronized List<JsonNode> requests() {
        return bodies.stream().map(JSON::readTree).toList();
    }

    /** The {@code messages} of the {@code n}-th request. */
    public List<JsonNode> messages(int n) {
        List<JsonNode> messages = new ArrayList<>();
        request(n).path("messages").forEach(messages::add);
        return messages;
    }

    /** The {@code role: "tool"} messages of the {@code n}-th request. */
    public List<JsonNode> toolMessages(int n) {
        return messages(n).stream().filter(m -> "tool".equals(m.path("role").asString())).toList();
    }

    /** The names of the tools offered in the {@code n}-th request. */
    public List<String> toolNames(int n) {
        List<String> names = new ArrayList<>();
        request(n).path("tools").forEach(tool -> names.add(tool.path("function").path("name").asString()));
        return names;
    }

    @Override
    public void close() {
        try {
            server.shutdown();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private synchronized MockResponse answer(RecordedRequest request) {
        if (!"POST".equals(request.getMethod()) || !"/chat/completions".equals(request.getPath())) {
            unscripted.incrementAndGet();
            return error(404, "The stub serves POST /chat/completions only, not " + request.getMethod() + " "
                    + request.getPath());
        }
        bodies.add(request.getBody().readUtf8());
        Turn turn = script.poll();
        if (turn == null && repeated != null) {
            repeats++;
            turn = repeated.withCallIdSuffix("-" + repeats);
        }
        if (turn == null) {
            unscripted.incrementAndGet();
            return error(400, "The stub's script is used up: request " + bodies.size() + " was not expected");
        }
        answered++;
        return new MockResponse()
                .setResponseCode(200)
                .setHeader("Content-Type", "application/json")
                .setBody(turn.toJson("chatcmpl-stub-" + answered));
    }

    private static MockResponse error(int status, String message) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("message", message);
        error.put("type", "invalid_request_error");
        error.putNull("param");
        error.putNull("code");
        return new MockResponse().setResponseCode(status).setHeader("Content-Type", "application/json")
                .setBody(body.toString());
    }

    /** A tool call the model asks for: {@code arguments} is the JSON text the model produced. */
    public record ToolCall(String id, String name, String arguments) {

        public ToolCall {
            Objects.requireNonNull(id, "id must not be null");
            Objects.requireNonNull(name, "name must not be null");
            Objects.requireNonNull(arguments, "arguments must not be null");
        }
    }

    /**
     * One scripted model answer: either text or tool calls, with the token usage the stub reports.
     */
    public record Turn(@Nullable String text, List<ToolCall> toolCalls, int promptTokens, int completionTokens) {

        public Turn {
            toolCalls = List.copyOf(toolCalls);
        }

        /** The model asks for tool calls. */
        public static Turn toolCalls(int promptTokens, int completionTokens, ToolCall... calls) {
            return new Turn(null, List.of(calls), promptTokens, completionTokens);
        }

        /** The model answers with text and no tool calls. */
        public static Turn answer(String text, int promptTokens, int completionTokens) {
            return new Turn(text, List.of(), promptTokens, completionTokens);
        }

        Turn withCallIdSuffix(String suffix) {
            return new Turn(text, toolCalls.stream()
                    .map(call -> new ToolCall(call.id() + suffix, call.name(), call.arguments())).toList(),
                    promptTokens, completionTokens);
        }

        /** Input plus output tokens. */
        public int totalTokens() {
            return promptTokens + completionTokens;
        }

        public String finishReason() {
            return toolCalls.isEmpty() ? "stop" : "tool_calls";
        }

        String toJson(String id) {
            ObjectNode root = JSON.createObjectNode();
            root.put("id", id);
            root.put("object", "chat.completion");
            root.put("created", 1_767_225_600L);
            root.put("model", MODEL);
            root.putNull("system_fingerprint");
            ObjectNode choice = root.putArray("choices").addObject();
            choice.put("index", 0);
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            if (text == null) {
                message.putNull("content");
            }
            else {
                message.put("content", text);
            }
            message.putNull("refusal");
            if (!toolCalls.isEmpty()) {
                ArrayNode calls = message.putArray("tool_calls");
                for (ToolCall call : toolCalls) {
                    ObjectNode node = calls.addObject();
                    node.put("id", call.id());
                    node.put("type", "function");
                    ObjectNode function = node.putObject("function");
                    function.put("name", call.name());
                    function.put("arguments", call.arguments());
                }
            }
            choice.putNull("logprobs");
            choice.put("finish_reason", finishReason());
            ObjectNode usage = root.putObject("usage");
            usage.put("prompt_tokens", promptTokens);
            usage.put("completion_tokens", completionTokens);
            usage.put("total_tokens", totalTokens());
            return root.toString();
        }
    }
}
