package dev.agentsaga.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.openai.OpenAiChatModel;

import dev.agentsaga.ai.ChatCompletionsStub.ToolCall;
import dev.agentsaga.ai.ChatCompletionsStub.Turn;
import tools.jackson.databind.JsonNode;

/**
 * The fixture itself, against the real Spring AI OpenAI client and without agent-saga: scripted turns
 * come back as Spring AI responses, requests are counted and recorded, a request past the script fails.
 */
class ChatCompletionsStubTest {

    private final ChatCompletionsStub stub = ChatCompletionsStub.start();

    @AfterEach
    void stopStub() {
        stub.close();
    }

    @Test
    void scriptedToolCallsReachTheClientWithTheirUsage() {
        stub.script(Turn.toolCalls(42, 7, new ToolCall("call_1", "searchFlights", "{\"from\":\"ZRH\",\"to\":\"LIS\"}")));
        OpenAiChatModel model = stub.chatModel();

        ChatResponse response = model.call(new Prompt(List.of(new SystemMessage("You plan trips."),
                new UserMessage("Fly me to Lisbon"))));

        AssistantMessage output = response.getResult().getOutput();
        assertThat(output.hasToolCalls()).isTrue();
        assertThat(output.getToolCalls()).singleElement().satisfies(call -> {
            assertThat(call.id()).isEqualTo("call_1");
            assertThat(call.name()).isEqualTo("searchFlights");
            assertThat(call.arguments()).isEqualTo("{\"from\":\"ZRH\",\"to\":\"LIS\"}");
        });
        assertThat(response.getResult().getMetadata().getFinishReason()).isEqualToIgnoringCase("tool_calls");
        assertThat(response.getMetadata().getUsage().getPromptTokens()).isEqualTo(42);
        assertThat(response.getMetadata().getUsage().getCompletionTokens()).isEqualTo(7);
        assertThat(response.getMetadata().getModel()).isEqualTo(ChatCompletionsStub.MODEL);
        assertThat(stub.requestCount()).isEqualTo(1);
        assertThat(stub.request(1).path("model").asString()).isEqualTo(ChatCompletionsStub.MODEL);
        assertThat(stub.messages(1)).extracting(m -> m.path("role").asString()).containsExactly("system", "user");
    }

    @Test
    void aToolRoundTripIsRecordedInTheNextRequest() {
        stub.script(Turn.answer("Booked.", 80, 3));
        AssistantMessage asked = AssistantMessage.builder()
                .content("")
                .toolCalls(List.of(new AssistantMessage.ToolCall("call_1", "function", "searchFlights", "{}")))
                .build();
        ToolResponseMessage result = ToolResponseMessage.builder()
                .responses(List.of(new ToolResponseMessage.ToolResponse("call_1", "searchFlights", "{\"flights\":[]}")))
                .build();

        ChatResponse response = stub.chatModel()
                .call(new Prompt(List.of(new UserMessage("Fly me to Lisbon"), asked, result)));

        assertThat(response.getResult().getOutput().getText()).isEqualTo("Booked.");
        List<JsonNode> messages = stub.messages(1);
        assertThat(messages).extracting(m -> m.path("role").asString()).containsExactly("user", "assistant", "tool");
        assertThat(messages.get(1).path("tool_calls").get(0).path("id").asString()).isEqualTo("call_1");
        assertThat(stub.toolMessages(1)).singleElement().satisfies(tool -> {
            assertThat(tool.path("tool_call_id").asString()).isEqualTo("call_1");
            assertThat(tool.path("content").toString()).contains("flights");
        });
    }

    @Test
    void aRequestPastTheScriptFailsAndIsCounted() {
        stub.script(Turn.answer("one", 1, 1));
        OpenAiChatModel model = stub.chatModel();
        model.call(new Prompt("first"));

        assertThatThrownBy(() -> model.call(new Prompt("second"))).isInstanceOf(RuntimeException.class);

        assertThat(stub.requestCount()).isEqualTo(2);
        assertThat(stub.unscriptedRequests()).isEqualTo(1);
    }

    @Test
    void aRepeatedTurnAnswersEveryRequestAfterTheScript() {
        stub.script(Turn.answer("first", 1, 1)).thenRepeat(Turn.answer("again", 2, 2));
        OpenAiChatModel model = stub.chatModel();

        List<String> texts = List.of(model.call(new Prompt("a")), model.call(new Prompt("b")), model.call(new Prompt("c")))
                .stream().map(r -> r.getResult().getOutput().getText()).toList();

        assertThat(texts).containsExactly("first", "again", "again");
        assertThat(stub.unscriptedRequests()).isZero();
    }
}
