package dev.agentsaga.crash;

import dev.agentsaga.test.TestDatabase;

/** {@link ChaosTest} on MariaDB: the same sagas, kills and invariants. */
class MariaDbChaosTest extends ChaosTest {

    @Override
    TestDatabase createDatabase() {
        return TestDatabase.mariadb();
    }
}
