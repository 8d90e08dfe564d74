package dev.agentsaga.autoconfigure.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientCustomizer;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.DefaultToolCallingManager;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.tool.annotation.Tool;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.agentsaga.InvalidActionException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.Saga;
import dev.agentsaga.ai.AgentLimits;
import dev.agentsaga.ai.SagaTool;
import dev.agentsaga.ai.SagaToolCallingManager;
import dev.agentsaga.ai.SagaTools;
import dev.agentsaga.ai.ToolAction;
import dev.agentsaga.spi.JournaledCall;
import dev.agentsaga.spi.SagaThreads;

/**
 * {@link AgentSagaSpringAiAutoConfiguration}: the tools of the application's beans, declared or failing
 * the start-up with a list of the undeclared ones, and the ChatModel and ToolCallingManager beans made
 * durable, keeping their types. One condition per test.
 */
class AgentSagaSpringAiAutoConfigurationTest {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AgentSagaSpringAiAutoConfiguration.class));

    /** Declared tools: each @Tool method says what it does to the world. */
    public static class FlightTools {

        @Tool(description = "Searches flights")
        @SagaTool(Reversibility.READ_ONLY)
        public String searchFlights(String from, String to) {
            return "TP941";
        }

        @Tool(description = "Books a flight")
        @SagaTool(value = Reversibility.COMPENSABLE, undo = "cancelFlight")
        public String bookFlight(String flight, String passenger) {
            return "booked " + flight;
        }

        public void cancelFlight(String flight, String passenger, String booking) {
        }
    }

    /** A bean whose tools say nothing of what they do. */
    public static class WeatherTools {

        @Tool(description = "Tells the weather in a city")
        public String forecast(String city) {
            return "sunny";
        }

        @Tool(description = "Tells the tides of a port")
        public String tides(String port) {
            return "high at noon";
        }
    }

    /** Another bean with an undeclared tool. */
    public static class SeatTools {

        @Tool(description = "Upgrades a seat")
        public String upgradeSeat(String flight) {
            return "upgraded";
        }
    }

    /** A COMPENSABLE tool that names an undo method it does not have. */
    public static class HotelToolsWithoutUndo {

        @Tool(description = "Books a hotel")
        @SagaTool(value = Reversibility.COMPENSABLE, undo = "cancelHotel")
        public String bookHotel(String city, int nights) {
            return "booked";
        }
    }

    /** A COMPENSABLE tool that names no undo method at all. */
    public static class CarToolsWithoutUndo {

        @Tool(description = "Rents a car")
        @SagaTool(Reversibility.COMPENSABLE)
        public String rentCar(String city) {
            return "rented";
        }
    }

    /** A chat model of the application's own, a class that is not final. */
    public static class EchoChatModel implements ChatModel {

        final List<Prompt> prompts = new CopyOnWriteArrayList<>();

        @Override
        public ChatResponse call(Prompt prompt) {
            prompts.add(prompt);
            return new ChatResponse(List.of(new Generation(new AssistantMessage("echo: " + prompt.getContents()))));
        }

        /** How many calls reached the model. */
        public int calls() {
            return prompts.size();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Flights {

        @Bean
        FlightTools flightTools() {
            return new FlightTools();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Weather {

        @Bean
        WeatherTools weatherTools() {
            return new WeatherTools();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Seats {

        @Bean
        SeatTools seatTools() {
            return new SeatTools();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Models {

        @Bean
        EchoChatModel echoChatModel() {
            return new EchoChatModel();
        }

        @Bean
        ToolCallingManager toolCallingManager() {
            return DefaultToolCallingManager.builder().build();
        }
    }

    @Test
    void registersTheDeclaredToolsAsTheyAreDeclared() {
        contextRunner.withUserConfiguration(Flights.class).run(context -> {

            SagaTools tools = context.getBean(SagaTools.class);

            assertThat(tools.all()).extracting(ToolAction::name, ToolAction::reversibility).containsExactlyInAnyOrder(
                    tuple("searchFlights", Reversibility.READ_ONLY),
                    tuple("bookFlight", Reversibility.COMPENSABLE));
            assertThat(tools.undeclared()).isEmpty();
        });
    }

    @Test
    void failsToStartWhenToolsHaveNoDeclarationAndTheAnalysisListsEachWithTheFix() {
        contextRunner.withUserConfiguration(Flights.class, Weather.class, Seats.class).run(context -> {
            assertThat(context).hasFailed();

            Throwable failure = context.getStartupFailure();
            FailureAnalysis analysis = new UndeclaredToolsFailureAnalyzer().analyze(failure);

            assertThat(causes(failure)).anyMatch(UndeclaredToolsException.class::isInstance);
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription()).contains(
                    "\n    - WeatherTools.forecast (tool 'forecast', bean 'weatherTools')",
                    "\n    - WeatherTools.tides (tool 'tides', bean 'weatherTools')",
                    "\n    - SeatTools.upgradeSeat (tool 'upgradeSeat', bean 'seatTools')")
                    .doesNotContain("searchFlights", "bookFlight");
            assertThat(analysis.getAction()).contains("@SagaTool(READ_ONLY)",
                    "@SagaTool(value = COMPENSABLE, undo = \"cancelFlight\")", "@SagaTool(IRREVERSIBLE)",
                    "agent.saga.tools.default-reversibility=IRREVERSIBLE", "agent.saga.tools.beans.<bean>=READ_ONLY",
                    "agent.saga.tools.callbacks.<tool>=READ_ONLY");
        });
    }

    @Test
    void startsWithADefaultReversibilityForEveryUndeclaredTool() {
        contextRunner.withUserConfiguration(Flights.class, Weather.class, Seats.class)
                .withPropertyValues("agent.saga.tools.default-reversibility=READ_ONLY").run(context -> {
                    assertThat(context).hasNotFailed();

                    SagaTools tools = context.getBean(SagaTools.class);

                    assertThat(tools.find("forecast")).get().extracting(ToolAction::reversibility)
                            .isEqualTo(Reversibility.READ_ONLY);
                    assertThat(tools.find("upgradeSeat")).get().extracting(ToolAction::reversibility)
                            .isEqualTo(Reversibility.READ_ONLY);
                    assertThat(tools.find("bookFlight")).as("a declaration of its own wins").get()
                            .extracting(ToolAction::reversibility).isEqualTo(Reversibility.COMPENSABLE);
                });
    }

    @Test
    void startsWithAReversibilityForTheToolsOfEachUndeclaredBean() {
        contextRunner.withUserConfiguration(Weather.class, Seats.class)
                .withPropertyValues("agent.saga.tools.beans.weatherTools=read-only",
                        "agent.saga.tools.beans.seatTools=irreversible")
                .run(context -> {
                    assertThat(context).hasNotFailed();

                    SagaTools tools = context.getBean(SagaTools.class);

                    assertThat(tools.all()).extracting(ToolAction::name, ToolAction::reversibility)
                            .containsExactlyInAnyOrder(
                                    tuple("forecast", Reversibility.READ_ONLY),
                                    tuple("tides", Reversibility.READ_ONLY),
                                    tuple("upgradeSeat", Reversibility.IRREVERSIBLE));
                });
    }

    @Test
    void aReversibilityForOneBeanLeavesTheToolsOfOtherBeansUndeclared() {
        contextRunner.withUserConfiguration(Weather.class, Seats.class)
                .withPropertyValues("agent.saga.tools.beans.weatherTools=READ_ONLY").run(context -> {
                    assertThat(context).hasFailed();

                    FailureAnalysis analysis = new UndeclaredToolsFailureAnalyzer().analyze(context.getStartupFailure());

                    assertThat(analysis.getDescription()).contains("SeatTools.upgradeSeat")
                            .doesNotContain("WeatherTools");
                });
    }

    @Test
    void aCompensableToolWhoseUndoMethodIsMissingFailsTheStartUpSayingWhatIsMissing() {
        contextRunner.withBean(HotelToolsWithoutUndo.class).run(context -> {
            assertThat(context).hasFailed();

            InvalidActionException cause = cause(context.getStartupFailure(), InvalidActionException.class);

            assertThat(cause.getMessage()).contains("HotelToolsWithoutUndo.bookHotel (tool 'bookHotel'")
                    .contains("names the undo method 'cancelHotel'")
                    .contains("has no method cancelHotel(String, int, String) nor cancelHotel(String, int)");
        });
    }

    @Test
    void aCompensableToolThatNamesNoUndoMethodFailsTheStartUpSayingHowToNameOne() {
        contextRunner.withBean(CarToolsWithoutUndo.class).run(context -> {
            assertThat(context).hasFailed();

            InvalidActionException cause = cause(context.getStartupFailure(), InvalidActionException.class);

            assertThat(cause.getMessage()).contains("CarToolsWithoutUndo.rentCar (tool 'rentCar'")
                    .contains("is COMPENSABLE but names no undo method")
                    .contains("@SagaTool(value = COMPENSABLE, undo = \"methodName\")");
        });
    }

    @Test
    void leavesTheModelAsItIsAndGivesChatClientsAnAdvisorThatJournalsTheirCallsInsideASaga() {
        contextRunner.withUserConfiguration(Models.class).run(context -> {

            EchoChatModel model = context.getBean(EchoChatModel.class);
            ChatClient.Builder builder = ChatClient.builder(model);
            context.getBeanProvider(ChatClientCustomizer.class).orderedStream()
                    .forEach(customizer -> customizer.customize(builder));
            ChatClient chat = builder.build();
            JournalingSaga saga = new JournalingSaga();
            String outside = chat.prompt().user("outside").call().content();
            String inside;
            try (SagaThreads.Scope bound = SagaThreads.bind(saga.proxy())) {
                inside = chat.prompt().user("inside").call().content();
            }

            assertThat(AopUtils.isAopProxy(model)).as("the model bean keeps its type").isFalse();
            assertThat(outside).isEqualTo("echo: outside");
            assertThat(inside).isEqualTo("echo: inside");
            assertThat(saga.journaled).as("only the call inside the saga is a journaled model call")
                    .containsExactly("model");
            assertThat(model.calls()).isEqualTo(2);
        });
    }

    /** An agent as Spring AI users write one: its own @Tool methods, and the model (or a client on it) injected. */
    public static class ConciergeAgent {

        final ChatModel model;

        final ToolCallingManager manager;

        public ConciergeAgent(ChatModel model, ToolCallingManager manager) {
            this.model = model;
            this.manager = manager;
        }

        @Tool(description = "Recommends a restaurant")
        @SagaTool(Reversibility.READ_ONLY)
        public String recommendRestaurant(String city) {
            return "Taberna in " + city;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Concierge {

        @Bean
        ConciergeAgent conciergeAgent(ChatModel model, ToolCallingManager manager) {
            return new ConciergeAgent(model, manager);
        }
    }

    @Test
    void startsWhenABeanWithToolsDependsOnTheModelAndTheManager() {
        contextRunner.withUserConfiguration(Concierge.class, Models.class).run(context -> {
                    assertThat(context).hasNotFailed();

                    ConciergeAgent agent = context.getBean(ConciergeAgent.class);

                    assertThat(agent.model).isSameAs(context.getBean(ChatModel.class));
                    assertThat(agent.manager).isInstanceOf(SagaToolCallingManager.class);
                    assertThat(context.getBean(SagaTools.class).find("recommendRestaurant")).isPresent();
                });
    }

    @Test
    void wrapsTheToolCallingManagerBean() {
        contextRunner.withUserConfiguration(Models.class).run(context -> {

            ToolCallingManager manager = context.getBean(ToolCallingManager.class);

            assertThat(manager).isInstanceOf(SagaToolCallingManager.class);
        });
    }

    @Test
    void leavesTheModelTheManagerAndTheToolsAloneWhenDisabled() {
        contextRunner.withUserConfiguration(Models.class, Weather.class)
                .withPropertyValues("agent.saga.agent.enabled=false").run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(SagaTools.class)
                            .doesNotHaveBean(AgentLimits.class);

                    assertThat(context.getBean(ChatModel.class)).isExactlyInstanceOf(EchoChatModel.class);
                    assertThat(context).doesNotHaveBean(ChatClientCustomizer.class);
                    assertThat(context.getBean(ToolCallingManager.class))
                            .isExactlyInstanceOf(DefaultToolCallingManager.class);
                });
    }

    @Test
    void backsOffWithoutSpringAi() {
        contextRunner.withClassLoader(new FilteredClassLoader(ChatModel.class)).run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(SagaTools.class).doesNotHaveBean(AgentLimits.class);
        });
    }

    @Test
    void bindsTheDocumentedDefaults() {
        contextRunner.run(context -> {

            SagaAgentProperties agent = context.getBean(SagaAgentProperties.class);
            SagaToolsProperties tools = context.getBean(SagaToolsProperties.class);

            assertThat(agent).extracting("enabled", "maxTurns", "maxTokens", "loopGuard", "approvalTimeout")
                    .containsExactly(true, 20, 200_000L, 3, Duration.ofDays(1));
            assertThat(tools.getDefaultReversibility()).isNull();
            assertThat(tools.getBeans()).isEmpty();
            assertThat(tools.getCallbacks()).isEmpty();
        });
    }

    /** A saga, as far as a model call inside one needs it: it runs each journaled call and notes its name. */
    static final class JournalingSaga {

        final List<String> journaled = new ArrayList<>();

        Saga proxy() {
            return (Saga) Proxy.newProxyInstance(Saga.class.getClassLoader(), new Class<?>[] { Saga.class },
                    (proxy, method, args) -> switch (method.getName()) {
                        case "journal" -> {
                            JournaledCall<?> call = (JournaledCall<?>) args[0];
                            journaled.add(call.name());
                            yield call.execute();
                        }
                        case "id" -> "saga-1";
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    private static List<Throwable> causes(Throwable failure) {
        List<Throwable> causes = new ArrayList<>();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            causes.add(cause);
        }
        return causes;
    }

    private static <T extends Throwable> T cause(Throwable failure, Class<T> type) {
        return causes(failure).stream().filter(type::isInstance).map(type::cast).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " among the causes of "
                        + failure));
    }
}
