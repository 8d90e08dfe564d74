package dev.agentsaga.ai;

/**
 * An operator's answer to a tool call that waits for approval, sent with
 * {@code coordinator.signal(sagaId, AgentLoop.approvalSignal(tool), approval)}.
 */
public record ToolApproval(boolean approved, String by, String reason) {

    public static ToolApproval approve(String by, String reason) {
        return new ToolApproval(true, by, reason);
    }

    public static ToolApproval reject(String by, String reason) {
        return new ToolApproval(false, by, reason);
    }
}
