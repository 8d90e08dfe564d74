package dev.agentsaga.sample;

import java.util.List;

import org.springframework.ai.chat.model.ToolContext;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.ai.tool.annotation.ToolParam;
import org.springframework.stereotype.Component;

import dev.agentsaga.Reversibility;
import dev.agentsaga.ai.SagaTool;
import dev.agentsaga.ai.ToolAction;

/**
 * The concierge's own tools, written as any Spring AI application writes tools: {@code @Tool} methods of a
 * bean. Each carries one more annotation, {@link SagaTool}, which says what it does to the world and, for a
 * compensable tool, which method of this bean undoes it (with the call's original arguments and its
 * recorded result). Inside a saga a tool finds the step's idempotency key in its {@link ToolContext} and
 * hands it to the provider, which books nothing twice under one key.
 */
@Component
public class ConciergeDesk {

    public record Event(String event, String venue, String date, String time, int priceEur) {
    }

    public record Tickets(String ticketId, String event, int quantity, int totalEur) {
    }

    public record RoomCharge(String chargeId, int room, int amountEur) {
    }

    private static final List<Event> EVENTS = List.of(
            new Event("Fado at the Clube", "Clube de Fado, Alfama", "", "22:30", 35),
            new Event("Orchestra by the river", "Centro Cultural, Belém", "", "21:00", 48),
            new Event("Jazz in the cellar", "Hot Cellar, Príncipe Real", "", "23:00", 22));

    private final TravelProviders providers;

    public ConciergeDesk(TravelProviders providers) {
        this.providers = providers;
    }

    @Tool(description = "Lists the shows and concerts in a city on a date (YYYY-MM-DD), with ticket prices in EUR")
    @SagaTool(Reversibility.READ_ONLY)
    public List<Event> findEvents(String city, String date, ToolContext context) {
        providers.logCall(key(context), "events.search");
        return EVENTS.stream().map(event -> new Event(event.event(), event.venue(), date, event.time(),
                event.priceEur())).toList();
    }

    @Tool(description = "Buys tickets for a show on a date (YYYY-MM-DD)")
    @SagaTool(value = Reversibility.COMPENSABLE, undo = "refundTickets")
    public Tickets buyTickets(@ToolParam(description = "the show's name, as findEvents lists it") String event,
            String date, int quantity, ToolContext context) {
        int price = EVENTS.stream().filter(known -> known.event().equals(event)).mapToInt(Event::priceEur)
                .findFirst().orElse(40);
        int total = price * quantity;
        return new Tickets(providers.buyTickets(key(context), event + " on " + date, quantity, total), event,
                quantity, total);
    }

    /** Undoes {@link #buyTickets}: the original arguments, then the recorded result. */
    public void refundTickets(String event, String date, int quantity, ToolContext context, Tickets tickets) {
        providers.refundTickets(key(context));
    }

    @Tool(description = "Charges an amount in EUR to a guest's room bill, with a description the guest sees")
    @SagaTool(value = Reversibility.COMPENSABLE, undo = "refundRoomCharge")
    public RoomCharge chargeToRoom(int room, int amountEur, String description, ToolContext context) {
        return new RoomCharge(providers.chargeRoom(key(context), room, description, amountEur), room, amountEur);
    }

    /** Undoes {@link #chargeToRoom}. */
    public void refundRoomCharge(int room, int amountEur, String description, ToolContext context) {
        providers.refundRoomCharge(key(context));
    }

    /** The step's idempotency key, {@code sagaId:seq}; the compensation of a call gets the key of that call. */
    private static String key(ToolContext context) {
        Object key = context.getContext().get(ToolAction.IDEMPOTENCY_KEY);
        if (key == null) {
            throw new IllegalStateException("The concierge's tools run inside a saga; this call has no idempotency key");
        }
        return key.toString();
    }
}
