package dev.agentsaga.engine;

import java.lang.reflect.Type;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;


import org.jspecify.annotations.Nullable;

import dev.agentsaga.ActionContext;
import dev.agentsaga.ActionPolicy;
import dev.agentsaga.AgentWorkflow;
import dev.agentsaga.InvalidActionException;
import dev.agentsaga.Reversibility;
import dev.agentsaga.SagaAction;
import dev.agentsaga.support.SagaNames;
import dev.agentsaga.support.SagaTypes;
import dev.agentsaga.UnknownActionException;
import dev.agentsaga.UnknownWorkflowException;
import dev.agentsaga.spi.WorkflowKey;

/** The actions and workflows an engine runs, by name, with their types resolved once at registration. */
final class Registry {

    /** A registered action. */
    record ActionEntry(String name, SagaAction<@Nullable Object, @Nullable Object> action, Type inputType,
            Type outputType, Reversibility reversibility, ActionPolicy policy) {
    }

    /** A registered workflow; a type its signature does not tell (a lambda's) is read as plain JSON values. */
    record WorkflowEntry(String name, AgentWorkflow<@Nullable Object, @Nullable Object> workflow, Type inputType,
            Type outputType, String version) {
    }

    private final Map<String, ActionEntry> actionsByName = new LinkedHashMap<>();

    private final Map<SagaAction<?, ?>, ActionEntry> actionsByInstance = new IdentityHashMap<>();

    private final Map<String, WorkflowEntry> workflowsByName = new LinkedHashMap<>();

    private final Map<AgentWorkflow<?, ?>, WorkflowEntry> workflowsByInstance = new IdentityHashMap<>();

    Registry(Map<String, SagaAction<?, ?>> namedActions, List<SagaAction<?, ?>> actions,
            Map<String, AgentWorkflow<?, ?>> namedWorkflows, List<AgentWorkflow<?, ?>> workflows,
            ActionPolicy defaultPolicy) {
        namedActions.forEach((name, action) -> addAction(name, action, defaultPolicy));
        actions.forEach(action -> addAction(SagaNames.resolve(action), action, defaultPolicy));
        namedWorkflows.forEach(this::addWorkflow);
        workflows.forEach(workflow -> addWorkflow(SagaNames.resolve(workflow), workflow));
    }

    ActionEntry action(SagaAction<?, ?> action) {
        ActionEntry entry = actionsByInstance.get(action);
        if (entry == null) {
            throw new UnknownActionException("The action " + action.getClass().getName() + " is not registered with "
                    + "this engine; register it with the builder (or declare it as a bean) before a workflow uses it",
                    null);
        }
        return entry;
    }

    ActionEntry action(String name) {
        ActionEntry entry = actionsByName.get(name);
        if (entry == null) {
            throw new UnknownActionException("No action is registered under the name '" + name
                    + "' that the journal records; register it again under that name. Known actions: "
                    + actionsByName.keySet(), null);
        }
        return entry;
    }

    WorkflowEntry workflow(String name) {
        WorkflowEntry entry = workflowsByName.get(name);
        if (entry == null) {
            throw new UnknownWorkflowException("No workflow is registered under the name '" + name
                    + "'. Known workflows: " + new TreeSet<>(workflowsByName.keySet()), null);
        }
        return entry;
    }

    WorkflowEntry workflow(AgentWorkflow<?, ?> workflow) {
        WorkflowEntry entry = workflowsByInstance.get(workflow);
        if (entry == null) {
            throw new UnknownWorkflowException("The workflow " + workflow.getClass().getName() + " is not registered "
                    + "with this engine; register it with the builder (or declare it as a bean) before a saga starts "
                    + "it as a child", null);
        }
        return entry;
    }

    Collection<WorkflowKey> workflowKeys() {
        return workflowsByName.values().stream().map(w -> new WorkflowKey(w.name(), w.version())).toList();
    }

    Set<String> workflowNames() {
        return workflowsByName.keySet();
    }

    @SuppressWarnings("unchecked")
    private void addAction(String name, SagaAction<?, ?> action, ActionPolicy defaultPolicy) {
        if (actionsByName.containsKey(name)) {
            throw new InvalidActionException("Two actions are registered under the name '" + name + "' ("
                    + actionsByName.get(name).action().getClass().getName() + " and " + action.getClass().getName()
                    + "); give one of them another name", null);
        }
        Type input = required(SagaTypes.inputOf(action), name, "input");
        Type output = required(SagaTypes.outputOf(action), name, "output");
        Reversibility reversibility = action.reversibility();
        if (reversibility == null) {
            throw new InvalidActionException("Action '" + name + "' returns no reversibility; return READ_ONLY, "
                    + "COMPENSABLE or IRREVERSIBLE", null);
        }
        if (reversibility == Reversibility.COMPENSABLE && !overridesCompensate(action)) {
            throw new InvalidActionException("Action '" + name + "' (" + action.getClass().getName()
                    + ") is COMPENSABLE but does not implement compensate(); implement compensate, or declare the "
                    + "action READ_ONLY or IRREVERSIBLE by overriding reversibility()", null);
        }
        ActionPolicy policy = action.policy() == ActionPolicy.defaults() ? defaultPolicy : action.policy();
        ActionEntry entry = new ActionEntry(name, (SagaAction<@Nullable Object, @Nullable Object>) action, input,
                output, reversibility, policy);
        actionsByName.put(name, entry);
        actionsByInstance.put(action, entry);
    }

    @SuppressWarnings("unchecked")
    private void addWorkflow(String name, AgentWorkflow<?, ?> workflow) {
        if (workflowsByName.containsKey(name)) {
            throw new InvalidActionException("Two workflows are registered under the name '" + name + "' ("
                    + workflowsByName.get(name).workflow().getClass().getName() + " and "
                    + workflow.getClass().getName() + "); give one of them another name", null);
        }
        String version = workflow.version();
        if (version == null || version.isBlank()) {
            throw new InvalidActionException("Workflow '" + name + "' returns a blank version(); return a "
                    + "non-blank version such as \"1\"", null);
        }
        Type input = SagaTypes.inputOf(workflow);
        Type output = SagaTypes.outputOf(workflow);
        WorkflowEntry entry = new WorkflowEntry(name, (AgentWorkflow<@Nullable Object, @Nullable Object>) workflow,
                input == null ? Object.class : input, output == null ? Object.class : output, version);
        workflowsByName.put(name, entry);
        workflowsByInstance.put(workflow, entry);
    }

    private static Type required(@Nullable Type type, String name, String what) {
        if (type == null) {
            throw new InvalidActionException("The " + what + " type of action '" + name + "' cannot be resolved; "
                    + "declare the action as a class implementing SagaAction<Input, Output> with concrete types "
                    + "(not a lambda), so the journal can read its payloads back", null);
        }
        return type;
    }

    private static boolean overridesCompensate(SagaAction<?, ?> action) {
        try {
            return action.getClass().getMethod("compensate", Object.class, Object.class, ActionContext.class)
                    .getDeclaringClass() != SagaAction.class;
        }
        catch (NoSuchMethodException ex) {
            return false;
        }
    }
}
