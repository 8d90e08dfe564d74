package dev.agentsaga.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.ToolCallingAdvisor;
import org.springframework.ai.model.tool.DefaultToolCallingManager;

import io.micrometer.observation.ObservationRegistry;

import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.Saga;
import dev.agentsaga.SagaEngine;
import dev.agentsaga.SagaStatus;
import dev.agentsaga.SagaView;
import dev.agentsaga.StepKind;
import dev.agentsaga.StepStatus;
import dev.agentsaga.StepView;
import dev.agentsaga.test.ScriptedChatModel;
import dev.agentsaga.testing.CompensableAction;
import dev.agentsaga.testing.EngineTestSupport;
import dev.agentsaga.testing.TestPolicies;

/**
 * A planner agent delegates to a sub-agent offered to its model as a tool: the call runs the sub-agent's
 * workflow as a child saga, its output goes back to the model as the tool's result, and when the planner
 * fails later the child's effects are undone with the planner's other steps. Both styles: AgentLoop, and a
 * ChatClient whose tool calls go through the durable tool-calling manager.
 */
class SubAgentTest extends EngineTestSupport {

    /** The sub-agent: holds a seat in the city and reports on it. */
    static final class Researcher implements AgentWorkflow<String, String> {

        private final CompensableAction seat;

        Researcher(CompensableAction seat) {
            this.seat = seat;
        }

        @Override
        public String run(String city, Saga saga) {
            saga.step(seat, city);
            return "Notes on " + city;
        }
    }

    @Test
    void anAgentLoopDelegatesToASubAgentAsAChildSaga() {
        ScriptedChatModel model = ScriptedChatModel.create()
                .turn(expect -> expect.tools("researcher"),
                        reply -> reply.toolCall("researcher", "{\"input\":\"Rome\"}"))
                .turn(expect -> expect.lastMessageContains("Notes on Rome"), reply -> reply.text("Rome it is"));
        CompensableAction seat = new CompensableAction("holdSeat", ledger);
        Researcher researcher = new Researcher(seat);
        AgentLoop loop = AgentLoop.builder(model)
                .agent(AgentTool.of("researcher", researcher, "Researches a city and holds a seat there")).build();
        SagaEngine engine = started(engineBuilder().defaultPolicy(TestPolicies.fast()).action(seat)
                .workflow("researcher", researcher).workflow("planner", new TripAgent("planner", loop)));

        String id = engine.start("planner", "Plan a trip").id();
        SagaView planner = awaitStatus(engine, id, SagaStatus.COMPLETED);

        assertThat(planner.output()).isEqualTo("\"Rome it is\"");
        assertThat(planner.steps()).extracting(StepView::kind, StepView::name, StepView::status).containsExactly(
                tuple(StepKind.LLM, "model", StepStatus.SUCCEEDED),
                tuple(StepKind.CHILD, "researcher", StepStatus.SUCCEEDED),
                tuple(StepKind.LLM, "model", StepStatus.SUCCEEDED));
        SagaView child = view(engine, id + ":2");
        assertThat(child.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(child.parentId()).isEqualTo(id);
        assertThat(ledger.executed(child.id())).containsExactly("holdSeat");
        assertThat(model.mismatches()).isEmpty();
        model.assertAllTurnsTaken();
    }

    @Test
    void aChatClientDelegatesThroughTheDurableToolCallingManagerAndTheChildIsUndoneWhenThePlannerFails() {
        ScriptedChatModel model = ScriptedChatModel.create()
                .turn(expect -> expect.tools("researcher"),
                        reply -> reply.toolCall("researcher", "{\"input\":\"Oslo\"}"))
                .turn(expect -> expect.lastMessageContains("Notes on Oslo"), reply -> reply.text("Oslo, over budget"));
        CompensableAction seat = new CompensableAction("holdSeat", ledger);
        Researcher researcher = new Researcher(seat);
        AgentTool tool = AgentTool.of("researcher", researcher, "Researches a city and holds a seat there");
        SagaTools tools = new SagaTools().addAgent(tool);
        ChatClient chat = ChatClient.builder(SagaChatModel.wrap(model, AgentLimits.DEFAULTS), ObservationRegistry.NOOP,
                        null, null, ToolCallingAdvisor.builder().toolCallingManager(new SagaToolCallingManager(
                                DefaultToolCallingManager.builder().build(), tools, AgentLimits.DEFAULTS)))
                .defaultToolCallbacks(tool).build();
        AgentWorkflow<String, String> planner = new AgentWorkflow<>() {
            @Override
            public String run(String goal, Saga saga) {
                String answer = chat.prompt().user(goal).call().content();
                if (answer != null && answer.contains("over budget")) {
                    throw new IllegalStateException("The planner gave up: " + answer);
                }
                return answer;
            }
        };
        SagaEngine engine = started(engineBuilder().defaultPolicy(TestPolicies.fast()).action(seat)
                .workflow("researcher", researcher).workflow("chatPlanner", planner));

        String id = engine.start("chatPlanner", "Plan a trip").id();
        SagaView view = awaitStatus(engine, id, SagaStatus.COMPENSATED);

        assertThat(view.steps()).extracting(StepView::kind).containsExactly(StepKind.LLM, StepKind.CHILD,
                StepKind.LLM);
        assertThat(view.steps().get(1).status()).isEqualTo(StepStatus.COMPENSATED);
        assertThat(view(engine, id + ":2").status()).isEqualTo(SagaStatus.COMPENSATED);
        assertThat(ledger.compensated(id + ":2")).containsExactly("holdSeat");
        assertThat(model.mismatches()).isEmpty();
    }
}
