/**
 * The test kit: test engines on a database of the test's own, a clock the test moves, in-process
 * crashes, scripted chat models, assertions on sagas and the replay of exported journals.
 */
@NullMarked
package dev.agentsaga.test;

import org.jspecify.annotations.NullMarked;
