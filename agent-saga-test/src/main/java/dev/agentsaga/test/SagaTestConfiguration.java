package dev.agentsaga.test;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.agentsaga.SagaCoordinator;

/** The beans {@link AutoConfigureSagaTest} adds: the engine's clock and the tester. */
@Configuration(proxyBeanMethods = false)
public class SagaTestConfiguration {

    @Bean
    TestClock sagaTestClock() {
        return new TestClock();
    }

    @Bean
    SagaTester sagaTester(SagaCoordinator sagas, TestClock sagaTestClock) {
        return new SagaTester(sagas, sagaTestClock);
    }
}
