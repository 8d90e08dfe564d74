package dev.agentsaga.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.autoconfigure.actuate.PayloadRedactor;

class ConversationTest {

    private final Payloads payloads = new Payloads(new PayloadRedactor(List.of("apiKey")));

    @Test
    void rebuildsTheTurnsWithTheirToolCallsApprovalsAndResults() {
        SagaView saga = Journals.saga("trip-1")
                .model(0, 10, response("Searching.", call("searchFlights", "{\\\"to\\\":\\\"Lisbon\\\",\\\"apiKey\\\":\\\"k-1\\\"}")), 250, 40)
                .step("searchFlights", StepKind.ACTION, Reversibility.READ_ONLY, StepStatus.SUCCEEDED, 10, 20L, "{}",
                        "[{\"flight\":\"TP906\"}]")
                .model(20, 30, response("", call("sendConfirmation", "{\\\"to\\\":\\\"ana@example.com\\\"}")), 320, 45)
                .step("approval:sendConfirmation", StepKind.SIGNAL, null, StepStatus.SUCCEEDED, 30, 40L, null,
                        "{\"approved\":true,\"by\":\"maria\",\"reason\":\"ok\"}")
                .step("sendConfirmation", StepKind.ACTION, Reversibility.IRREVERSIBLE, StepStatus.SUCCEEDED, 40, 50L,
                        "{}", "{\"messageId\":\"m-1\"}")
                .model(50, 60, response("Booked TP906.", ""), 400, 20)
                .as(SagaStatus.COMPLETED, 60, null, null);

        Conversation conversation = Conversation.of(saga, payloads);

        assertThat(conversation.input()).isEqualTo("3 nights in Lisbon");
        assertThat(conversation.turns()).extracting(Conversation.Turn::text)
                .containsExactly("Searching.", "", "Booked TP906.");
        Conversation.ToolCall search = conversation.turns().get(0).toolCalls().get(0);
        assertThat(search.arguments()).isEqualTo("{\"to\":\"Lisbon\",\"apiKey\":\"******\"}");
        assertThat(search.result().seq()).isEqualTo(2);
        assertThat(search.result().summary()).isEqualTo("[{\"flight\":\"TP906\"}]");
        Conversation.ToolCall confirmation = conversation.turns().get(1).toolCalls().get(0);
        assertThat(confirmation.approval()).isEqualTo(new Conversation.Approval(4, "approved", "maria", "ok"));
        assertThat(confirmation.result().seq()).isEqualTo(5);
        assertThat(conversation.turns().get(2).inputTokens()).isEqualTo(400);
    }

    @Test
    void aCallThatWaitsForApprovalHasNoResultYet() {
        SagaView saga = Journals.saga("trip-2")
                .model(0, 10, response("", call("sendConfirmation", "{}")), 250, 40)
                .step("approval:sendConfirmation", StepKind.SIGNAL, null, StepStatus.STARTED, 10, null, null, null)
                .as(SagaStatus.WAITING, 10, null, null);

        Conversation.ToolCall call = Conversation.of(saga, payloads).turns().get(0).toolCalls().get(0);

        assertThat(call.approval().state()).isEqualTo("waiting");
        assertThat(call.result()).isNull();
        PendingDecision decision = PendingDecision.of(saga, payloads);
        assertThat(decision.kind()).isEqualTo(PendingDecision.Kind.APPROVAL);
        assertThat(decision.tool()).isEqualTo("sendConfirmation");
        assertThat(decision.arguments()).isEqualTo("{ }");
        assertThat(decision.cancellable()).isTrue();
    }

    @Test
    void aSagaWithoutModelTurnsHasNoConversation() {
        SagaView saga = Journals.saga("payout-1")
                .step("transferMoney", StepKind.ACTION, Reversibility.IRREVERSIBLE, StepStatus.STARTED, 0, null, "{}", null)
                .as(SagaStatus.NEEDS_ATTENTION, 300, "in doubt", 1);

        assertThat(Conversation.of(saga, payloads).isEmpty()).isTrue();
        assertThat(PendingDecision.of(saga, payloads).kind()).isEqualTo(PendingDecision.Kind.IN_DOUBT);
    }

    @Test
    void anErasedSagasTurnsReadTheMarker() {
        SagaView saga = Journals.saga("trip-3").input(SagaView.ERASED)
                .model(0, 10, SagaView.ERASED, 250, 40)
                .step("searchFlights", StepKind.ACTION, Reversibility.READ_ONLY, StepStatus.SUCCEEDED, 10, 20L,
                        SagaView.ERASED, SagaView.ERASED)
                .model(20, 30, SagaView.ERASED, 320, 45)
                .as(SagaStatus.COMPLETED, 30, null, null);

        Conversation conversation = Conversation.of(saga, payloads);

        assertThat(conversation.input()).isEqualTo("[erased]");
        assertThat(conversation.turns()).extracting(Conversation.Turn::text).containsExactly("[erased]", "[erased]");
        assertThat(conversation.turns()).extracting(Conversation.Turn::inputTokens).containsExactly(250, 320);
        assertThat(conversation.turns()).allSatisfy(turn -> assertThat(turn.toolCalls()).isEmpty());
    }

    private static String response(String text, String calls) {
        return "{\"text\":\"" + text + "\",\"toolCalls\":[" + calls + "],\"finishReason\":\"STOP\",\"model\":\"m\","
                + "\"inputTokens\":1,\"outputTokens\":1}";
    }

    private static String call(String tool, String arguments) {
        return "{\"id\":\"c1\",\"name\":\"" + tool + "\",\"arguments\":\"" + arguments + "\"}";
    }
}
