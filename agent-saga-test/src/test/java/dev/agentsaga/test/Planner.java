package dev.agentsaga.test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.prompt.Prompt;

import dev.agentsaga.StepKind;
import dev.agentsaga.spi.JournaledCall;

/**
 * Asks a chat model to plan the trip, as one journaled model call (the core's {@link JournaledCall},
 * the seam the Spring AI integration uses): its fingerprint has the parts {@code messages} (a hash of
 * the rendered conversation) and {@code model}.
 */
final class Planner {

    private final ChatModel model;

    private final String systemPrompt;

    Planner(ChatModel model, String systemPrompt) {
        this.model = Objects.requireNonNull(model);
        this.systemPrompt = Objects.requireNonNull(systemPrompt);
    }

    /** The request for a trip to {@code destination}. */
    Prompt prompt(String destination) {
        return new Prompt(List.of(new SystemMessage(systemPrompt), new UserMessage("Plan a trip to " + destination)));
    }

    /** The model call for a trip to {@code destination}. */
    JournaledCall<String> plan(String destination) {
        Prompt prompt = prompt(destination);
        return new JournaledCall<>() {

            @Override
            public String name() {
                return "model";
            }

            @Override
            public StepKind kind() {
                return StepKind.LLM;
            }

            @Override
            public Class<String> type() {
                return String.class;
            }

            @Override
            public Map<String, String> fingerprint() {
                String messages = String.join("\n", prompt.getInstructions().stream()
                        .map(m -> m.getMessageType().getValue() + ": " + m.getText()).toList());
                return Map.of("messages", sha256(messages), "model", ScriptedChatModel.MODEL);
            }

            @Override
            public String execute() {
                return model.call(prompt).getResult().getOutput().getText();
            }

            @Override
            public int[] tokens(String result) {
                return null;
            }
        };
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
