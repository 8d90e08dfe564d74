package dev.agentsaga.ai;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;

import tools.jackson.databind.json.JsonMapper;

/**
 * The fingerprint of a model request by part: {@code messages} (roles, texts, tool calls and results),
 * {@code model}, {@code options} (sampling and limits) and {@code tools} (names, descriptions and input schemas).
 * Each part is hashed on its own so that drift can say which one changed. No credentials are part of
 * a request's options, so none reach the journal.
 */
final class RequestFingerprint {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RequestFingerprint() {
    }

    /**
     * The fingerprint of the request made with {@code prompt}: with the prompt's options, or with the
     * model's {@code defaults} when the prompt has none, as a chat model fills such a prompt, so that a
     * changed default model or temperature is drift too.
     */
    static Map<String, String> of(Prompt prompt, @Nullable ChatOptions defaults) {
        Map<String, String> parts = new TreeMap<>();
        parts.put("messages", hash(messages(prompt.getInstructions())));
        ChatOptions options = prompt.getOptions() != null ? prompt.getOptions() : defaults;
        parts.put("model", hash(options == null ? null : options.getModel()));
        parts.put("options", hash(options == null ? null : options(options)));
        parts.put("tools", hash(options instanceof ToolCallingChatOptions tools ? tools(tools) : List.of()));
        return parts;
    }

    private static List<Map<String, Object>> messages(List<Message> messages) {
        List<Map<String, Object>> canonical = new ArrayList<>();
        for (Message message : messages) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("role", message.getMessageType().getValue());
            entry.put("text", message.getText());
            if (message instanceof AssistantMessage assistant && assistant.hasToolCalls()) {
                entry.put("toolCalls", assistant.getToolCalls().stream()
                        .map(call -> List.of(call.id(), call.name(), call.arguments())).toList());
            }
            if (message instanceof ToolResponseMessage tool) {
                entry.put("toolResponses", tool.getResponses().stream()
                        .map(response -> List.of(response.id(), response.name(), response.responseData())).toList());
            }
            canonical.add(entry);
        }
        return canonical;
    }

    private static Map<String, Object> options(ChatOptions options) {
        Map<String, Object> canonical = new TreeMap<>();
        canonical.put("temperature", options.getTemperature());
        canonical.put("maxTokens", options.getMaxTokens());
        canonical.put("topP", options.getTopP());
        canonical.put("topK", options.getTopK());
        canonical.put("frequencyPenalty", options.getFrequencyPenalty());
        canonical.put("presencePenalty", options.getPresencePenalty());
        canonical.put("stopSequences", options.getStopSequences());
        return canonical;
    }

    private static List<List<String>> tools(ToolCallingChatOptions options) {
        List<List<String>> tools = new ArrayList<>();
        if (options.getToolCallbacks() == null) {
            return tools;
        }
        for (ToolCallback callback : options.getToolCallbacks()) {
            // the description too: it is what the model reads to choose the tool
            tools.add(List.of(callback.getToolDefinition().name(), callback.getToolDefinition().description(),
                    callback.getToolDefinition().inputSchema()));
        }
        tools.sort((a, b) -> a.get(0).compareTo(b.get(0)));
        return tools;
    }

    private static String hash(@Nullable Object value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(JSON.writeValueAsString(value).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", ex);
        }
    }
}
