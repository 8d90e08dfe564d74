package dev.agentsaga.autoconfigure.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.openai.OpenAiChatModel;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Reversibility;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaCoordinator;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepView;
import dev.agentsaga.ai.SagaTool;
import dev.agentsaga.ai.ToolAction;

/**
 * A Spring Boot application with the starter and Spring AI's own auto-configuration: its agent builds its
 * {@code ChatClient} from the {@code ChatClient.Builder} bean that Spring AI makes and gives it its own
 * {@code @Tool} methods, as Spring AI users write agents, with nothing of agent-saga in it but the
 * workflow it is run as and the declarations of its tools. Its model calls and tool calls are journaled
 * as the steps of a saga, and a failing tool undoes the earlier one.
 */
@SpringBootTest(classes = ChatClientAgentApplicationTest.TripApplication.class, webEnvironment = WebEnvironment.NONE,
        properties = { "spring.datasource.url=jdbc:h2:mem:chat-client-agent;DB_CLOSE_DELAY=-1;MODE=PostgreSQL",
                "agent.saga.poll-interval=50ms", "agent.saga.policy.initial-backoff=5ms",
                "agent.saga.policy.max-backoff=10ms", "agent.saga.shutdown-grace=1s" })
@DirtiesContext
class ChatClientAgentApplicationTest {

    private static final ChatCompletionsServer MODEL = ChatCompletionsServer.start();

    /** The agent of the application: a ChatClient from Spring AI's builder, with tools of its own. */
    public static class TripAgent implements AgentWorkflow<String, String> {

        final List<String> bookings = new CopyOnWriteArrayList<>();

        final List<String> cancellations = new CopyOnWriteArrayList<>();

        private final ChatClient chat;

        public TripAgent(ChatClient.Builder chat) {
            this.chat = chat.defaultSystem("You book trips with the tools.").defaultTools(this).build();
        }

        @Override
        public String run(String goal, Saga saga) {
            return chat.prompt().user(goal).call().content();
        }

        @Tool(description = "Books a seat on a flight")
        @SagaTool(value = Reversibility.COMPENSABLE, undo = "cancelFlight")
        public String bookFlight(String flight, ToolContext context) {
            bookings.add((String) context.getContext().get(ToolAction.IDEMPOTENCY_KEY));
            return "booked " + flight;
        }

        public void cancelFlight(String flight, ToolContext context, String booking) {
            cancellations.add(flight + " / " + booking);
        }

        @Tool(description = "Charges the traveller's card")
        @SagaTool(Reversibility.IRREVERSIBLE)
        public String chargeCard(int amount) {
            if (amount > 1000) {
                throw new IllegalStateException("The card was declined");
            }
            return "charged " + amount;
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class TripApplication {

        @Bean
        TripAgent tripAgent(ChatClient.Builder chat) {
            return new TripAgent(chat);
        }

        @Bean
        OpenAiChatModel openAiChatModel() {
            return OpenAiChatModel.builder().options(OpenAiChatOptions.builder().baseUrl(MODEL.baseUrl())
                    .apiKey("sk-dummy-not-a-key").model("gpt-stub").maxRetries(0).timeout(Duration.ofSeconds(10))
                    .build()).build();
        }
    }

    @AfterAll
    static void stopModel() {
        MODEL.close();
    }

    @Autowired
    private SagaCoordinator sagas;

    @Autowired
    private TripAgent agent;

    @Autowired
    private ChatModel model;

    @Test
    void theAgentsModelCallsAndToolCallsAreStepsOfASagaAndAFailingToolUndoesTheBooking() {
        MODEL.toolCall("call_1", "bookFlight", "{\"flight\":\"TP941\"}", 100, 10)
                .toolCall("call_2", "chargeCard", "{\"amount\":1450}", 120, 10);

        String id = sagas.start("tripAgent", "Fly me to Lisbon").id();
        SagaView view = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> sagas.find(id).orElseThrow(), saga -> saga.status().isTerminal());

        assertThat(view.status()).as("error: %s", view.error()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(view.steps()).extracting(StepView::seq, StepView::kind, StepView::name)
                .containsExactly(tuple(1, StepKind.LLM, "model"), tuple(2, StepKind.ACTION, "bookFlight"),
                        tuple(3, StepKind.LLM, "model"), tuple(4, StepKind.ACTION, "chargeCard"));
        assertThat(view.tokensSpent()).isEqualTo(240);
        assertThat(view.error()).contains("The card was declined");
        assertThat(agent.bookings).containsExactly(id + ":2");
        assertThat(agent.cancellations).containsExactly("TP941 / booked TP941");
        assertThat(MODEL.requests()).hasSize(2);
        assertThat(model).as("the model bean is left as Spring AI made it: its ChatClients are made durable")
                .isInstanceOf(OpenAiChatModel.class);
    }
}
