package dev.agentsaga.dashboard;

import java.util.Locale;
import java.util.Map;

import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.Context;
import org.thymeleaf.templatemode.TemplateMode;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;

/**
 * The dashboard's own Thymeleaf engine, for its templates only (under {@code agent-saga-dashboard/templates/}
 * in the jar): the application's view resolution, and its own Thymeleaf if it has one, are left alone.
 */
final class DashboardTemplates {

    private final TemplateEngine engine = new TemplateEngine();

    DashboardTemplates() {
        ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver(DashboardTemplates.class.getClassLoader());
        resolver.setPrefix("agent-saga-dashboard/templates/");
        resolver.setSuffix(".html");
        resolver.setTemplateMode(TemplateMode.HTML);
        resolver.setCharacterEncoding("UTF-8");
        resolver.setCacheable(true);
        engine.setTemplateResolver(resolver);
    }

    /** The page rendered from the template and the model. */
    String render(String template, Map<String, Object> model) {
        return engine.process(template, new Context(Locale.ROOT, model));
    }
}
