package dev.agentsaga;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/** The core module keeps the dependency directions of the architecture. */
class LayeringTest {

    static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.agentsaga");
    }

    @Test
    void coreUsesNeitherSpringBootNorSpringAi() {
        noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("org.springframework.boot..", "org.springframework.ai..")
                .check(core);
    }

    @Test
    void theSpiKnowsNothingOfTheEngineOrTheJdbcStore() {
        noClasses().that().resideInAPackage("dev.agentsaga.spi..").should().dependOnClassesThat()
                .resideInAnyPackage("dev.agentsaga.engine..", "dev.agentsaga.store..")
                .check(core);
    }

    @Test
    void theEngineDoesNotDependOnTheJdbcStore() {
        noClasses().that().resideInAPackage("dev.agentsaga.engine..").should().dependOnClassesThat()
                .resideInAPackage("dev.agentsaga.store..")
                .check(core);
    }

    @Test
    void theStoreDoesNotDependOnTheEngine() {
        noClasses().that().resideInAPackage("dev.agentsaga.store..").should().dependOnClassesThat()
                .resideInAPackage("dev.agentsaga.engine..")
                .check(core);
    }

    @Test
    void theApiDependsOnTheEngineAndStoreOnlyThroughTheBuilder() {
        noClasses().that().resideInAPackage("dev.agentsaga").and().doNotBelongToAnyOf(AgentSaga.class)
                .should().dependOnClassesThat().resideInAnyPackage("dev.agentsaga.engine..", "dev.agentsaga.store..")
                .check(core);
    }
}
