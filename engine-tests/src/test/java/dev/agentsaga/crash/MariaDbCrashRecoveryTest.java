package dev.agentsaga.crash;

import dev.agentsaga.test.TestDatabase;

/** {@link CrashRecoveryTest} on MariaDB: the same kills, the same invariants. */
class MariaDbCrashRecoveryTest extends CrashRecoveryTest {

    @Override
    TestDatabase createDatabase() {
        return TestDatabase.mariadb();
    }

    @Override
    boolean databaseAvailable() {
        return TestDatabase.mariadbAvailable();
    }
}
