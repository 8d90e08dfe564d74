package dev.agentsaga.test;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Gives each test of a {@link SagaTest} class its {@link SagaTestEnvironment}, verifies the scripted
 * models it made when the test ends, and closes it.
 */
public final class SagaTestExtension implements ParameterResolver, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
            .create(SagaTestExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SagaTestEnvironment.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE).computeIfAbsent(SagaTestEnvironment.class,
                key -> new SagaTestEnvironment(database(context)), SagaTestEnvironment.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        SagaTestEnvironment environment = context.getStore(NAMESPACE).remove(SagaTestEnvironment.class,
                SagaTestEnvironment.class);
        if (environment == null) {
            return;
        }
        try {
            if (context.getExecutionException().isEmpty()) {
                environment.verify();
            }
        }
        finally {
            environment.close();
        }
    }

    private static SagaTest.Database database(ExtensionContext context) {
        return AnnotationSupport.findAnnotation(context.getRequiredTestClass(), SagaTest.class)
                .map(SagaTest::database).orElse(SagaTest.Database.H2);
    }
}
