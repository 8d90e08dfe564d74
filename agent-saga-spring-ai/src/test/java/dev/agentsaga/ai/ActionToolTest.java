package dev.agentsaga.ai;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

import dev.agentsaga.ActionContext;
import dev.agentsaga.SagaAction;
import dev.agentsaga.ai.TripTools.HotelBooking;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A saga action offered to a model as a tool: its name, description and the schema of its input type. */
class ActionToolTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A COMPENSABLE action with a record input, outside any engine. */
    static final class ReserveRoom implements SagaAction<HotelBooking, String> {

        @Override
        public String execute(HotelBooking input, ActionContext ctx) {
            return "reserved";
        }

        @Override
        public void compensate(HotelBooking input, String output, ActionContext ctx) {
        }

        @Override
        public String name() {
            return "reserveRoom";
        }

        @Override
        public String description() {
            return "Reserves a hotel room in a city";
        }
    }

    /** Actions that share a generic base class, a common way to write a family of actions. */
    abstract static class BookingAction<I> implements SagaAction<I, String> {

        @Override
        public String execute(I input, ActionContext ctx) {
            return "booked " + input;
        }

        @Override
        public void compensate(I input, String output, ActionContext ctx) {
        }
    }

    static final class BookRoom extends BookingAction<HotelBooking> {

        @Override
        public String name() {
            return "bookRoom";
        }
    }

    @Test
    void aToolIsNamedAndDescribedByItsAction() {
        ToolCallback tool = ActionTool.of(new ReserveRoom());

        ToolDefinition definition = tool.getToolDefinition();

        assertThat(definition.name()).isEqualTo("reserveRoom");
        assertThat(definition.description()).isEqualTo("Reserves a hotel room in a city");
    }

    @Test
    void theInputSchemaComesFromTheActionsInputType() {
        JsonNode schema = JSON.readTree(ActionTool.of(new ReserveRoom()).getToolDefinition().inputSchema());

        assertThat(schema.path("type").asString()).isEqualTo("object");
        assertThat(schema.path("properties").propertyNames()).contains("city", "checkIn", "nights");
        assertThat(schema.path("properties").path("nights").path("type").asString()).isEqualTo("integer");
        assertThat(schema.path("properties").path("city").path("type").asString()).isEqualTo("string");
    }

    @Test
    void theInputTypeOfAnActionWithAGenericBaseClassIsResolved() {
        JsonNode schema = JSON.readTree(ActionTool.of(new BookRoom()).getToolDefinition().inputSchema());

        assertThat(schema.path("type").asString()).isEqualTo("object");
        assertThat(schema.path("properties").propertyNames()).as("schema %s", schema)
                .contains("city", "checkIn", "nights");
    }

    @Test
    void anExplicitNameOverridesTheActionsName() {
        ToolCallback tool = ActionTool.of("bookRoom", new ReserveRoom());

        assertThat(tool.getToolDefinition().name()).isEqualTo("bookRoom");
        assertThat(tool.getToolDefinition().description()).isEqualTo("Reserves a hotel room in a city");
    }
}
