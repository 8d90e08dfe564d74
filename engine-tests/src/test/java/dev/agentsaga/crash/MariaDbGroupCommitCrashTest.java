package dev.agentsaga.crash;

import dev.agentsaga.test.TestDatabase;

/** {@link GroupCommitCrashTest} on MariaDB, where a group sends its appends one by one in its transaction. */
class MariaDbGroupCommitCrashTest extends GroupCommitCrashTest {

    @Override
    TestDatabase createDatabase() {
        return TestDatabase.mariadb();
    }
}
