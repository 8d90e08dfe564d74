package dev.agentsaga.sample;

import java.util.Arrays;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The trip-booking agent and the concierge agent. {@code --demo} plays the trip agent's three scenarios and
 * exits, {@code --demo=concierge} the concierge's; without it the HTTP API ({@link TripController},
 * {@link ConciergeController}) serves on port 8080.
 */
@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        boolean demo = DemoRunner.isDemo(args);
        SpringApplication app = new SpringApplication(SampleApplication.class);
        if (demo) {
            app.setWebApplicationType(WebApplicationType.NONE); // the demo needs no port
        }
        ConfigurableApplicationContext context = app.run(args);
        if (demo || Arrays.asList(args).contains("--exit")) {
            System.exit(SpringApplication.exit(context));
        }
    }
}
