package dev.agentsaga.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaHandle;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.ai.ChatCompletionsStub.Turn;

/**
 * A model call through {@link JournaledChatModel} is an LLM step named "model" with its tokens; when the
 * saga is replayed (here: resumed after a signal) the recorded response comes back without a request.
 */
class JournaledChatModelTest extends AgentTestSupport {

    /** The two responses the workflow got, as its output. */
    public record Answers(RecordedResponse first, RecordedResponse second) {
    }

    /** Asks the model, waits for a signal, answers the tool call and asks again. */
    public static final class AskTwice implements AgentWorkflow<String, Answers> {

        private final JournaledChatModel model;

        AskTwice(JournaledChatModel model) {
            this.model = model;
        }

        @Override
        public Answers run(String goal, Saga saga) {
            SystemMessage system = new SystemMessage(TripScript.SYSTEM_PROMPT);
            UserMessage user = new UserMessage(goal);
            RecordedResponse first = model.call(saga, new Prompt(List.of(system, user)));
            saga.awaitSignal("continue", String.class, Duration.ofMinutes(10));
            ToolCallRecord call = first.toolCalls().get(0);
            ToolResponseMessage result = ToolResponseMessage.builder()
                    .responses(List.of(new ToolResponseMessage.ToolResponse(call.id(), call.name(), "booked")))
                    .build();
            RecordedResponse second = model.call(saga, new Prompt(List.of(system, user, first.toMessage(), result)));
            return new Answers(first, second);
        }

        @Override
        public String name() {
            return "askTwice";
        }
    }

    @Test
    void aModelCallIsJournaledWithItsTokensAndReplayedWithoutARequest() {
        stub.script(Turn.toolCalls(100, 10, TripScript.BOOK_FLIGHT), Turn.answer("Done.", 150, 5));
        SagaEngine engine = started(agentEngine().workflow(new AskTwice(new JournaledChatModel(stub.chatModel()))));
        SagaHandle handle = engine.start("askTwice", TripScript.GOAL);

        SagaView waiting = awaitRest(engine, handle.id(), SagaStatus.WAITING);

        assertThat(waiting.steps()).extracting(StepView::seq, StepView::kind, StepView::name, StepView::status,
                StepView::inputTokens, StepView::outputTokens)
                .containsExactly(tuple(1, StepKind.LLM, "model", StepStatus.SUCCEEDED, 100, 10),
                        tuple(2, StepKind.SIGNAL, "continue", StepStatus.STARTED, null, null));
        assertThat(stub.requestCount()).isEqualTo(1);

        engine.signal(handle.id(), "continue", "go on");
        SagaView done = awaitRest(engine, handle.id(), SagaStatus.COMPLETED);

        assertThat(stub.requestCount()).as("the first call was answered from the journal").isEqualTo(2);
        assertThat(stub.unscriptedRequests()).isZero();
        Answers answers = handle.awaitOutput(Answers.class, REST);
        assertThat(answers.first().toolCalls()).containsExactly(new ToolCallRecord("call_flight", "bookFlight",
                TripScript.BOOK_FLIGHT.arguments()));
        assertThat(answers.first().hasToolCalls()).isTrue();
        assertThat(answers.first().finishReason()).isEqualToIgnoringCase("tool_calls");
        assertThat(answers.first().model()).isEqualTo(ChatCompletionsStub.MODEL);
        assertThat(answers.first().inputTokens()).isEqualTo(100);
        assertThat(answers.first().outputTokens()).isEqualTo(10);
        assertThat(answers.second().text()).isEqualTo("Done.");
        assertThat(answers.second().hasToolCalls()).isFalse();
        assertThat(steps(done, StepKind.LLM)).extracting(StepView::inputTokens, StepView::outputTokens)
                .containsExactly(tuple(100, 10), tuple(150, 5));
        assertThat(done.tokensSpent()).isEqualTo(265);
        assertThat(done.tokensReplayed()).as("the first call, answered from the journal after the wait")
                .isEqualTo(110);
        assertThat(done.tokensSaved()).as("a resume after a wait saves nothing over a run without one").isZero();
        assertThat(stub.messages(2).get(2).path("tool_calls").get(0).path("id").asString())
                .as("the recorded assistant message goes back with its tool call").isEqualTo("call_flight");
        assertThat(stub.toolMessages(2)).extracting(m -> m.path("tool_call_id").asString())
                .containsExactly("call_flight");
    }

    @Test
    void aRecordedResponseBecomesTheAssistantMessageItRecorded() {
        RecordedResponse response = new RecordedResponse(null,
                List.of(new ToolCallRecord("call_1", "bookHotel", "{\"city\":\"Lisbon\"}")), "tool_calls",
                ChatCompletionsStub.MODEL, 12, 3);

        AssistantMessage message = response.toMessage();

        assertThat(response.hasToolCalls()).isTrue();
        assertThat(message.getToolCalls()).singleElement().satisfies(call -> {
            assertThat(call.id()).isEqualTo("call_1");
            assertThat(call.name()).isEqualTo("bookHotel");
            assertThat(call.arguments()).isEqualTo("{\"city\":\"Lisbon\"}");
        });
        assertThat(new RecordedResponse("Hello", List.of(), "stop", ChatCompletionsStub.MODEL, 1, 1).toMessage()
                .getText()).isEqualTo("Hello");
    }
}
