package dev.agentsaga.ai;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;

/**
 * A model's response as the journal keeps it: its text, the tool calls it asked for, why it stopped,
 * and the tokens it took.
 */
public record RecordedResponse(@Nullable String text, List<ToolCallRecord> toolCalls, @Nullable String finishReason,
        @Nullable String model, int inputTokens, int outputTokens) {

    public RecordedResponse {
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    /** The journaled form of a Spring AI response. */
    public static RecordedResponse of(ChatResponse response) {
        Generation generation = response.getResult();
        AssistantMessage message = generation == null ? null : generation.getOutput();
        List<ToolCallRecord> calls = message == null ? List.of() : message.getToolCalls().stream()
                .map(call -> new ToolCallRecord(call.id(), call.name(), call.arguments())).toList();
        String finishReason = generation == null || generation.getMetadata() == null ? null
                : generation.getMetadata().getFinishReason();
        Usage usage = response.getMetadata() == null ? null : response.getMetadata().getUsage();
        return new RecordedResponse(message == null ? null : message.getText(), calls, finishReason,
                response.getMetadata() == null ? null : response.getMetadata().getModel(),
                usage == null || usage.getPromptTokens() == null ? 0 : usage.getPromptTokens(),
                usage == null || usage.getCompletionTokens() == null ? 0 : usage.getCompletionTokens());
    }

    /** Whether the model asked for tools to be called. */
    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    /** The assistant message to put back into the conversation. */
    public AssistantMessage toMessage() {
        return AssistantMessage.builder().content(text == null ? "" : text)
                .toolCalls(toolCalls.stream()
                        .map(call -> new AssistantMessage.ToolCall(call.id(), "function", call.name(), call.arguments()))
                        .toList())
                .build();
    }
}
