package dev.agentsaga.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.agentsaga.EncryptionKeyException;

/** Explains a start-up that failed because the keys that encrypt the journal are missing or not valid. */
public class EncryptionKeyFailureAnalyzer extends AbstractFailureAnalyzer<EncryptionKeyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, EncryptionKeyException cause) {
        String description = "agent-saga could not set up the encryption of the journal's payloads: "
                + cause.getMessage();
        String action = "Set agent.saga.encryption.current-key to the id of the key that encrypts new payloads, and "
                + "agent.saga.encryption.keys.<id> to the base64 of 32 random bytes ('openssl rand -base64 32') for it "
                + "and for every older key that stored payloads are encrypted under. Give the keys from a secret store "
                + "or the environment (AGENT_SAGA_ENCRYPTION_KEYS_<ID>), not from a file under version control.";
        return new FailureAnalysis(description, action, cause);
    }
}
