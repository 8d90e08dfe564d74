/**
 * Agents on Spring AI: model calls journaled as steps, saga actions offered as tools, and a durable
 * agent loop with budgets and approvals.
 */
@NullMarked
package dev.agentsaga.ai;

import org.jspecify.annotations.NullMarked;
