package com.skyfit.lake.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LeaseOwnerTest {

    @Test
    void theCurrentProcessIsAlive() {
        assertThat(LeaseOwner.isGoneOnThisHost(LeaseOwner.currentProcess().id())).isFalse();
    }

    @Test
    void aProcessOfThisHostThatEndedIsGoneAtOnce() throws Exception {
        Process p = new ProcessBuilder("sleep", "30").start();
        String id = LeaseOwner.of(p.toHandle()).id();
        assertThat(LeaseOwner.isGoneOnThisHost(id)).isFalse();
        p.destroyForcibly().waitFor();
        assertThat(LeaseOwner.isGoneOnThisHost(id)).isTrue();
    }

    @Test
    void aLivePidStartedAtAnotherTimeIsAnotherProcess() {
        String self = LeaseOwner.currentProcess().id();
        String reused = self.substring(0, self.lastIndexOf('/') + 1) + "12345";
        assertThat(LeaseOwner.isGoneOnThisHost(reused)).isTrue();
    }

    @Test
    void ownersElsewhereAreJudgedByTheirHeartbeatOnly() {
        String self = LeaseOwner.currentProcess().id();
        String otherHost = "999999@some-other-host~0000/" + self.substring(self.lastIndexOf('/') + 1);
        assertThat(LeaseOwner.isGoneOnThisHost(otherHost)).isFalse();
        assertThat(LeaseOwner.isGoneOnThisHost(LeaseOwner.orchestration().id())).isFalse();
    }
}
