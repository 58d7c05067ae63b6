package dev.engram.bridge.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;

/** Starts a fake server and a raw client to it per test, and closes both after it. */
abstract class ServerAndClientTest {
  private final List<AutoCloseable> toClose = new ArrayList<>();
  FakeEngramServer server;
  TestClient client;

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  /** Closes {@code resource} after the test, before what was registered earlier. */
  <T extends AutoCloseable> T closeAfterTest(T resource) {
    toClose.add(resource);
    return resource;
  }

  void start(ServerMode mode, UnaryOperator<FakeEngramServer.Builder> settings) {
    server = closeAfterTest(settings.apply(mode.builder()).build().start());
    client = closeAfterTest(TestClient.connect(server));
  }

  void start(ServerMode mode) {
    start(mode, builder -> builder);
  }
}
