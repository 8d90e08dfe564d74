package dev.agentsaga.test;

import java.util.List;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;

/** A request rendered for people: one message per line. */
final class Conversation {

    private Conversation() {
    }

    static String render(Prompt prompt) {
        List<String> lines = lines(prompt);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            out.append(String.format("  %2d %s%n", i + 1, lines.get(i)));
        }
        return out.append("  tools offered: ").append(tools(prompt)).toString();
    }

    static List<String> lines(Prompt prompt) {
        return prompt.getInstructions().stream().map(Conversation::line).toList();
    }

    static String line(Message message) {
        return message.getMessageType().getValue() + ": " + text(message);
    }

    static String text(Message message) {
        if (message instanceof AssistantMessage assistant && assistant.hasToolCalls()) {
            List<String> calls = assistant.getToolCalls().stream()
                    .map(call -> "-> " + call.name() + " " + call.arguments()).toList();
            String said = assistant.getText() == null || assistant.getText().isBlank() ? ""
                    : assistant.getText() + " ";
            return said + String.join(", ", calls);
        }
        if (message instanceof ToolResponseMessage tool) {
            return String.join(", ", tool.getResponses().stream()
                    .map(response -> response.name() + " <- " + response.responseData()).toList());
        }
        return String.valueOf(message.getText());
    }

    static List<String> tools(Prompt prompt) {
        if (prompt.getOptions() instanceof ToolCallingChatOptions options && options.getToolCallbacks() != null) {
            return options.getToolCallbacks().stream().map(tool -> tool.getToolDefinition().name()).sorted()
                    .toList();
        }
        return List.of();
    }

    /** A line diff: common lines indented, expected ones with {@code -}, received ones with {@code +}. */
    static String diff(List<String> expected, List<String> received) {
        int[][] common = new int[expected.size() + 1][received.size() + 1];
        for (int i = expected.size() - 1; i >= 0; i--) {
            for (int j = received.size() - 1; j >= 0; j--) {
                common[i][j] = expected.get(i).equals(received.get(j)) ? common[i + 1][j + 1] + 1
                        : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        int j = 0;
        while (i < expected.size() || j < received.size()) {
            if (i < expected.size() && j < received.size() && expected.get(i).equals(received.get(j))) {
                out.append("    ").append(expected.get(i++)).append('\n');
                j++;
            }
            else if (i < expected.size() && (j == received.size() || common[i + 1][j] >= common[i][j + 1])) {
                out.append("  - ").append(expected.get(i++)).append('\n');
            }
            else {
                out.append("  + ").append(received.get(j++)).append('\n');
            }
        }
        return out.toString().stripTrailing();
    }
}
