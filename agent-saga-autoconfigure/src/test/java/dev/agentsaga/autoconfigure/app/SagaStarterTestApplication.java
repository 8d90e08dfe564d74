package dev.agentsaga.autoconfigure.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A travel-booking application on the starter: two COMPENSABLE actions, an IRREVERSIBLE one, and three
 * workflows, all plain {@code @Component} beans discovered by the auto-configuration.
 */
@SpringBootApplication
public class SagaStarterTestApplication {
}
