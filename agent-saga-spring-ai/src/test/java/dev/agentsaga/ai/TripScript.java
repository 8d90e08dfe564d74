package dev.agentsaga.ai;

import org.springframework.ai.chat.model.ChatModel;

import dev.agentsaga.ai.ChatCompletionsStub.ToolCall;
import dev.agentsaga.ai.ChatCompletionsStub.Turn;

/** The conversation of the travel agent tests: what is asked, what the model answers. */
public final class TripScript {

    public static final String SYSTEM_PROMPT = "You are a travel agent. Book what the traveller asks for with the tools.";

    public static final String GOAL = "Fly me from Zurich to Lisbon on 1 December and book a hotel for three nights.";

    public static final String ANSWER = "Booked TP941 on 1 December and three nights in Lisbon.";

    public static final ToolCall SEARCH = new ToolCall("call_search", "searchFlights",
            "{\"from\":\"ZRH\",\"to\":\"LIS\",\"date\":\"2026-12-01\"}");

    public static final ToolCall BOOK_FLIGHT = new ToolCall("call_flight", "bookFlight",
            "{\"flight\":\"TP941\",\"passenger\":\"Ada Lovelace\"}");

    public static final ToolCall BOOK_HOTEL = new ToolCall("call_hotel", "bookHotel",
            "{\"city\":\"Lisbon\",\"checkIn\":\"2026-12-01\",\"nights\":3}");

    private TripScript() {
    }

    /** search -> bookFlight -> bookHotel -> answer: four model requests, three tool calls. */
    public static Turn[] trip() {
        return new Turn[] {
                Turn.toolCalls(120, 15, SEARCH),
                Turn.toolCalls(180, 12, BOOK_FLIGHT),
                Turn.toolCalls(240, 14, BOOK_HOTEL),
                Turn.answer(ANSWER, 300, 20) };
    }

    /** The sum of input and output tokens of the given turns. */
    public static long tokens(Turn... turns) {
        long sum = 0;
        for (Turn turn : turns) {
            sum += turn.totalTokens();
        }
        return sum;
    }

    /** The trip agent's loop: the system prompt and the three trip tools, no budgets beyond the defaults. */
    public static AgentLoop.Builder tripLoop(ChatModel model, TripTools tools) {
        return AgentLoop.builder(model)
                .systemPrompt(SYSTEM_PROMPT)
                .tool(tools.searchFlights)
                .tool(tools.bookFlight)
                .tool(tools.bookHotel);
    }
}
