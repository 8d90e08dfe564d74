package dev.agentsaga.dashboard.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A travel agency's application with the agent-saga starter and the dashboard, for the dashboard's tests. */
@SpringBootApplication
public class TravelDeskApplication {
}
