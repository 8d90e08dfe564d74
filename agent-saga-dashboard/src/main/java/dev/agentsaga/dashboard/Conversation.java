package dev.agentsaga.dashboard;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;

import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;

/**
 * An agent's conversation rebuilt from its journal: the saga's input, then each model turn (a step of
 * kind LLM, whose output is the recorded response: text, tool calls, finish reason, model, tokens) with
 * the tool calls it asked for, each paired with the steps that followed it before the next turn: its
 * approval (a signal {@code approval:<tool>}) and its result (the tool's step).
 *
 * @param input the saga's input (the goal of an agent), masked
 */
public record Conversation(@Nullable String input, List<Turn> turns) {

    /** The approval signal of a tool is named with this prefix and the tool's name. */
    static final String APPROVAL_PREFIX = "approval:";

    private static final int SUMMARY = 110;

    /**
     * One model turn.
     *
     * @param text what the model said; on the last turn of a finished agent, its answer
     */
    public record Turn(int seq, @Nullable String text, List<ToolCall> toolCalls, @Nullable String model,
            @Nullable Integer inputTokens, @Nullable Integer outputTokens, @Nullable String finishReason,
            StepStatus status) {
    }

    /**
     * A tool call of a turn.
     *
     * @param arguments the arguments the model wrote, masked, on one line
     * @param approval the approval it waited for, if it needed one
     * @param result the tool's step, once it ran
     */
    public record ToolCall(String name, @Nullable String arguments, @Nullable Approval approval,
            @Nullable Result result) {
    }

    /**
     * An approval of a tool call.
     *
     * @param state {@code waiting}, {@code approved} or {@code rejected}
     */
    public record Approval(int seq, String state, @Nullable String by, @Nullable String reason) {
    }

    /**
     * The step that ran a tool call.
     *
     * @param output its output, masked and indented
     * @param summary its output on one line, shortened
     */
    public record Result(int seq, StepStatus status, @Nullable String output, @Nullable String summary,
            @Nullable String error) {
    }

    /** Whether the saga had any model turn, so that there is a conversation to show. */
    public boolean isEmpty() {
        return turns.isEmpty();
    }

    static Conversation of(SagaView saga, Payloads payloads) {
        List<StepView> steps = saga.steps();
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            StepView step = steps.get(i);
            if (step.kind() != StepKind.LLM) {
                continue;
            }
            List<StepView> following = new ArrayList<>();
            for (int j = i + 1; j < steps.size() && steps.get(j).kind() != StepKind.LLM; j++) {
                following.add(steps.get(j));
            }
            turns.add(turn(step, following, payloads));
        }
        return new Conversation(payloads.show(saga.input()), turns);
    }

    private static Turn turn(StepView step, List<StepView> following, Payloads payloads) {
        JsonNode response = Payloads.tree(step.output());
        List<ToolCall> calls = new ArrayList<>();
        Set<Integer> used = new HashSet<>();
        if (response != null) {
            for (JsonNode call : response.path("toolCalls")) {
                String name = call.path("name").asString("");
                StepView approval = first(following, used, StepKind.SIGNAL, APPROVAL_PREFIX + name);
                StepView result = first(following, used, null, name);
                calls.add(new ToolCall(name, payloads.line(call.path("arguments").asString(null)),
                        approval == null ? null : approval(approval), result == null ? null : result(result, payloads)));
            }
        }
        // an erased saga's response is the erasure marker, a JSON string: shown as the turn's text
        String text = response == null ? null : response.isString() ? response.asString() : text(response, "text");
        return new Turn(step.seq(), text, calls,
                response == null ? null : text(response, "model"), step.inputTokens(), step.outputTokens(),
                response == null ? null : text(response, "finishReason"), step.status());
    }

    private static Result result(StepView step, Payloads payloads) {
        String line = payloads.line(step.output());
        String summary = line == null || line.length() <= SUMMARY ? line : line.substring(0, SUMMARY - 1) + "…";
        return new Result(step.seq(), step.status(), payloads.show(step.output()), summary, payloads.show(step.error()));
    }

    private static Approval approval(StepView signal) {
        JsonNode payload = Payloads.tree(signal.output());
        if (signal.status() == StepStatus.STARTED || payload == null) {
            return new Approval(signal.seq(), "waiting", null, null);
        }
        return new Approval(signal.seq(), payload.path("approved").asBoolean(false) ? "approved" : "rejected",
                text(payload, "by"), text(payload, "reason"));
    }

    /** The first step not yet paired with a call, of the kind (any but a signal when null) and name. */
    private static @Nullable StepView first(List<StepView> steps, Set<Integer> used, @Nullable StepKind kind,
            String name) {
        for (StepView step : steps) {
            boolean kindMatches = kind == null ? step.kind() != StepKind.SIGNAL : step.kind() == kind;
            if (kindMatches && step.name().equals(name) && used.add(step.seq())) {
                return step;
            }
        }
        return null;
    }

    private static @Nullable String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }
}
