package dev.engram.bridge.testkit;

/** The two ways a {@link FakeEngramServer} serves; server tests run over both. */
enum ServerMode {
  IN_PROCESS {
    @Override
    FakeEngramServer.Builder builder() {
      return FakeEngramServer.builder().inProcess();
    }
  },
  LOOPBACK {
    @Override
    FakeEngramServer.Builder builder() {
      return FakeEngramServer.builder().onLoopback();
    }
  };

  abstract FakeEngramServer.Builder builder();
}
