package dev.agentsaga.sample;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.tool.ToolCallbackProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaName;

/**
 * The workflow {@code concierge}: a hotel guest's request in, the concierge's answer out. The agent is
 * written as a Spring AI user writes one: a {@code ChatClient} from the application's
 * {@code ChatClient.Builder}, with a system prompt, the {@code @Tool} methods of {@link ConciergeDesk} and
 * the tools of the restaurants' MCP server. Nothing in it is about durability: the starter journals the
 * client's model calls (an advisor it adds to the builder) and runs each tool call as a saga step (the
 * tool-calling manager it wraps), and when a later tool fails the completed ones are undone, newest first,
 * as declared ({@code @SagaTool} on the desk, {@code agent.saga.mcp.servers.restaurants} for the MCP tools).
 */
@Component
@SagaName(ConciergeWorkflow.NAME)
public class ConciergeWorkflow implements AgentWorkflow<String, String> {

    public static final String NAME = "concierge";

    static final String SYSTEM_PROMPT = """
            You are the concierge of a hotel in Lisbon. Arrange the evening the guest asks for with the tools:
            search restaurants and reserve a table, find the show the guest wants and buy the tickets, then
            charge the tickets to the guest's room. The guest is Ana Silva. Answer with a short summary.""";

    private final ChatClient chat;

    public ConciergeWorkflow(ChatClient.Builder chatClient, ConciergeDesk desk,
            @Qualifier("restaurantTools") ToolCallbackProvider restaurants) {
        this.chat = chatClient.defaultSystem(SYSTEM_PROMPT).defaultTools(desk).defaultToolCallbacks(restaurants)
                .build();
    }

    @Override
    public String run(String request, Saga saga) {
        String answer = chat.prompt().user(request).call().content();
        return answer == null ? "" : answer;
    }
}
