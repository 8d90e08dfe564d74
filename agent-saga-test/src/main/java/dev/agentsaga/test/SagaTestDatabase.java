package dev.agentsaga.test;

import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContextAnnotationUtils;

import org.jspecify.annotations.Nullable;

/**
 * The database that {@link AutoConfigureSagaTest#database()} gives an application context under test:
 * a new {@link TestDatabase} without the agent-saga tables (the starter creates them), made the
 * context's {@code spring.datasource.url}, registered as a {@code TestDatabase} bean for assertions on
 * its tables, and dropped when the context closes, after its engine stopped and its pool closed.
 */
final class SagaTestDatabase implements ContextCustomizer {

    private static final String BEAN_NAME = "agentSagaTestDatabase";

    private final AutoConfigureSagaTest.Database database;

    private SagaTestDatabase(AutoConfigureSagaTest.Database database) {
        this.database = database;
    }

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration configuration) {
        TestDatabase created = switch (database) {
            case H2 -> TestDatabase.emptyH2();
            case POSTGRESQL -> TestDatabase.emptyPostgresql();
            case APPLICATION -> throw new IllegalStateException("the application's own database is not replaced");
        };
        // the PostgreSQL URL carries its credentials, and PgJDBC prefers them to the application's
        Map<String, Object> properties = database == AutoConfigureSagaTest.Database.H2
                ? Map.of("spring.datasource.url", created.jdbcUrl(), "spring.datasource.driver-class-name",
                        "org.h2.Driver", "spring.datasource.username", TestDatabase.H2_USER,
                        "spring.datasource.password", "")
                : Map.of("spring.datasource.url", created.jdbcUrl(), "spring.datasource.driver-class-name",
                        "org.postgresql.Driver");
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource(BEAN_NAME, properties));
        // registered before any bean of the application, so destroyed after all of them (the pool included)
        if (!(context.getBeanFactory() instanceof DefaultListableBeanFactory beans)) {
            created.close();
            throw new IllegalStateException("AutoConfigureSagaTest(database = " + database + ") needs an "
                    + "application context on a DefaultListableBeanFactory, as Spring Boot's are; this one has a "
                    + context.getBeanFactory().getClass().getName());
        }
        beans.registerSingleton(BEAN_NAME, created);
        beans.registerDisposableBean(BEAN_NAME, created::close);
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof SagaTestDatabase that && that.database == database;
    }

    @Override
    public int hashCode() {
        return database.hashCode();
    }

    /** Reads {@link AutoConfigureSagaTest#database()} of a test class; registered by that annotation. */
    static final class Factory implements ContextCustomizerFactory {

        @Override
        public @Nullable ContextCustomizer createContextCustomizer(Class<?> testClass,
                List<ContextConfigurationAttributes> configurationAttributes) {
            AutoConfigureSagaTest annotation = TestContextAnnotationUtils.findMergedAnnotation(testClass,
                    AutoConfigureSagaTest.class);
            if (annotation == null || annotation.database() == AutoConfigureSagaTest.Database.APPLICATION) {
                return null;
            }
            return new SagaTestDatabase(annotation.database());
        }
    }
}
