package dev.agentsaga.ai;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;

/** A chat model that plays a script of responses in order and keeps the prompts it was sent. */
final class ScriptedChatModel implements ChatModel {

    private final List<AssistantMessage> script = new ArrayList<>();

    final List<Prompt> prompts = new CopyOnWriteArrayList<>();

    private final AtomicInteger next = new AtomicInteger();

    ScriptedChatModel toolCall(String id, String tool, String arguments) {
        script.add(AssistantMessage.builder().content("")
                .toolCalls(List.of(new AssistantMessage.ToolCall(id, "function", tool, arguments))).build());
        return this;
    }

    ScriptedChatModel answer(String text) {
        script.add(new AssistantMessage(text));
        return this;
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        prompts.add(prompt);
        int turn = next.getAndIncrement();
        AssistantMessage message = script.get(Math.min(turn, script.size() - 1));
        return new ChatResponse(List.of(new Generation(message)), ChatResponseMetadata.builder()
                .usage(new DefaultUsage(100, 20)).model("scripted").build());
    }
}
