package dev.agentsaga.test;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;

/**
 * A Spring AI {@link ChatModel} that answers from a script, one turn per request, and records every
 * request. A turn may say what it expects of its request (the conversation, the last message, the
 * system prompt, the tools offered); a request that does not match, or one past the end of the script,
 * fails: the model call throws, and {@link #mismatches()} (which a {@link SagaTestEnvironment} checks
 * when the test ends) holds the expected and the received conversation side by side. Works for
 * {@code AgentLoop} agents and for {@code ChatClient} agents alike; on replay the engine answers model
 * calls from the journal, so a resumed agent takes no turn.
 */
public final class ScriptedChatModel implements ChatModel {

    /** The model name the responses carry. */
    public static final String MODEL = "scripted";

    private final List<Turn> script = new CopyOnWriteArrayList<>();

    private final List<Prompt> requests = new CopyOnWriteArrayList<>();

    private final List<String> mismatches = new CopyOnWriteArrayList<>();

    private ScriptedChatModel() {
    }

    /** A model with an empty script. */
    public static ScriptedChatModel create() {
        return new ScriptedChatModel();
    }

    /** Adds a turn that expects nothing of its request. */
    public ScriptedChatModel turn(Consumer<Reply> reply) {
        return turn(expect -> {
        }, reply);
    }

    /** Adds a turn that checks its request before it replies. */
    public ScriptedChatModel turn(Consumer<Expect> expect, Consumer<Reply> reply) {
        Expect expectation = new Expect();
        expect.accept(expectation);
        Reply answer = new Reply(script.size() + 1);
        reply.accept(answer);
        script.add(new Turn(expectation, answer));
        return this;
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        requests.add(prompt);
        int n = requests.size();
        if (n > script.size()) {
            throw mismatch("Scripted model: request " + n + " is past the end of the script of " + script.size()
                    + " turns.\nRequest " + n + " as received:\n" + Conversation.render(prompt));
        }
        Turn turn = script.get(n - 1);
        String failed = turn.expect().check(prompt);
        if (failed != null) {
            throw mismatch("Scripted model: request " + n + " does not match turn " + n + ".\n" + failed
                    + "\nRequest " + n + " as received:\n" + Conversation.render(prompt));
        }
        return turn.reply().response();
    }

    /**
     * Options that can carry tools, as a provider's model has: a {@code ChatClient} offers tools, and runs the
     * calls a response asks for, only to a model whose options do.
     */
    @Override
    public ChatOptions getOptions() {
        return ToolCallingChatOptions.builder().model(MODEL).build();
    }

    @Override
    public ChatOptions getDefaultOptions() {
        return getOptions();
    }

    /** The requests received, in order. */
    public List<Prompt> requests() {
        return List.copyOf(requests);
    }

    /** The requests received, each rendered one message per line ({@code role: text}). */
    public List<String> conversations() {
        return requests.stream().map(Conversation::render).toList();
    }

    /** What did not match the script, each with the expected and the received request; empty when all did. */
    public List<String> mismatches() {
        return List.copyOf(mismatches);
    }

    /**
     * Fails unless every turn of the script was taken.
     * @throws AssertionError naming the turns not taken
     */
    public void assertAllTurnsTaken() {
        if (requests.size() < script.size()) {
            throw new AssertionError("The script has " + script.size() + " turns but the model received "
                    + requests.size() + " requests");
        }
    }

    private AssertionError mismatch(String message) {
        mismatches.add(message);
        return new AssertionError(message);
    }

    private record Turn(Expect expect, Reply reply) {
    }

    /** What a turn expects of its request; every expectation set must hold. */
    public static final class Expect {

        private @Nullable List<String> conversation;

        private final List<Check> checks = new ArrayList<>();

        /**
         * The whole conversation, one message per line as {@code role: text} (for an assistant's tool
         * call {@code assistant: -> tool {arguments}}, for a tool's result {@code tool: tool <- result});
         * a difference is shown as a line diff.
         */
        public Expect conversation(String... lines) {
            this.conversation = List.of(lines);
            return this;
        }

        /** The last message's text contains {@code text}. */
        public Expect lastMessageContains(String text) {
            return check("the last message contains \"" + text + "\"",
                    prompt -> lastText(prompt).contains(text));
        }

        /** The system prompt is {@code text}. */
        public Expect systemPrompt(String text) {
            return check("the system prompt is \"" + text + "\"", prompt -> prompt.getInstructions().stream()
                    .anyMatch(m -> m.getMessageType() == MessageType.SYSTEM && text.equals(m.getText())));
        }

        /** The tools offered are exactly these, in any order. */
        public Expect tools(String... names) {
            List<String> expected = List.of(names).stream().sorted().toList();
            return check("the tools offered are " + expected, prompt -> expected.equals(Conversation.tools(prompt)));
        }

        /** Any other condition on the request, described for the failure message. */
        public Expect check(String description, Predicate<Prompt> condition) {
            checks.add(new Check(description, condition));
            return this;
        }

        private @Nullable String check(Prompt prompt) {
            List<String> failed = new ArrayList<>();
            if (conversation != null) {
                List<String> received = Conversation.lines(prompt);
                if (!received.equals(conversation)) {
                    failed.add("The conversation differs (- expected, + received):\n"
                            + Conversation.diff(conversation, received));
                }
            }
            for (Check check : checks) {
                if (!check.condition().test(prompt)) {
                    failed.add("Expected: " + check.description() + "\nReceived: last message "
                            + (prompt.getInstructions().isEmpty() ? "(none)"
                                    : Conversation.line(prompt.getInstructions().get(prompt.getInstructions().size()
                                            - 1)))
                            + ", tools " + Conversation.tools(prompt));
                }
            }
            return failed.isEmpty() ? null : String.join("\n", failed);
        }

        private static String lastText(Prompt prompt) {
            List<Message> messages = prompt.getInstructions();
            return messages.isEmpty() ? "" : Conversation.text(messages.get(messages.size() - 1));
        }

        private record Check(String description, Predicate<Prompt> condition) {
        }
    }

    /** What a turn answers: text, tool calls, usage, finish reason. */
    public static final class Reply {

        private final int turn;

        private String text = "";

        private final List<AssistantMessage.ToolCall> toolCalls = new ArrayList<>();

        private int inputTokens;

        private int outputTokens;

        private @Nullable String finishReason;

        private Reply(int turn) {
            this.turn = turn;
        }

        /** Answers with text. */
        public Reply text(String text) {
            this.text = Objects.requireNonNull(text, "text must not be null");
            return this;
        }

        /** Asks for a tool call with JSON arguments, under the id {@code call_<turn>_<n>}. */
        public Reply toolCall(String tool, String arguments) {
            return toolCall("call_" + turn + "_" + (toolCalls.size() + 1), tool, arguments);
        }

        /** Asks for a tool call under the given id. */
        public Reply toolCall(String id, String tool, String arguments) {
            toolCalls.add(new AssistantMessage.ToolCall(id, "function", tool, arguments));
            return this;
        }

        /** The tokens the turn reports having taken. */
        public Reply usage(int inputTokens, int outputTokens) {
            this.inputTokens = inputTokens;
            this.outputTokens = outputTokens;
            return this;
        }

        /** The finish reason; by default {@code tool_calls} when the turn calls tools, else {@code stop}. */
        public Reply finishReason(String finishReason) {
            this.finishReason = finishReason;
            return this;
        }

        private ChatResponse response() {
            AssistantMessage message = AssistantMessage.builder().content(text).toolCalls(List.copyOf(toolCalls))
                    .build();
            String reason = finishReason != null ? finishReason : toolCalls.isEmpty() ? "stop" : "tool_calls";
            Generation generation = new Generation(message, ChatGenerationMetadata.builder().finishReason(reason)
                    .build());
            return new ChatResponse(List.of(generation), ChatResponseMetadata.builder()
                    .usage(new DefaultUsage(inputTokens, outputTokens)).model(MODEL).build());
        }
    }
}
