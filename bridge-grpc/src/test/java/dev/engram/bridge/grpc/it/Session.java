package dev.engram.bridge.grpc.it;

import dev.engram.bridge.api.transport.Transport;
import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import dev.engram.bridge.testkit.FakeEngramServer;
import dev.engram.bridge.testkit.FakeProjectTracker;
import dev.engram.bridge.testkit.RecordingRemovalHandler;
import java.util.function.UnaryOperator;

/**
 * One fake server and one real bridge (core and grpc transport, found through ServiceLoader)
 * pointed at it, with a recording handler, a tracker and a recorder. Closing closes the bridge
 * first, then the server.
 */
final class Session implements AutoCloseable {
  /** Where the fake server runs. */
  enum Kind {
    IN_PROCESS,
    LOOPBACK;

    FakeEngramServer.Builder server() {
      return this == IN_PROCESS
          ? FakeEngramServer.builder().inProcess()
          : FakeEngramServer.builder().onLoopback();
    }
  }

  final FakeEngramServer server;
  final RecordingRemovalHandler handler = new RecordingRemovalHandler();
  final FakeProjectTracker tracker = new FakeProjectTracker();
  final BridgeRecorder recorder = new BridgeRecorder();
  private EngramBridge bridge;

  private Session(FakeEngramServer server) {
    this.server = server;
  }

  /** Starts {@code server} and returns a session around it, with no bridge yet. */
  static Session on(FakeEngramServer server) {
    return new Session(server.start());
  }

  /** A server of {@code kind} with default settings, started. */
  static Session on(Kind kind) {
    return on(kind.server().build());
  }

  /** Quick timings for this session's server; see {@link QuickBridge#config}. */
  BridgeConfig.Builder config() {
    return QuickBridge.config(server.url());
  }

  /** Builds and starts a bridge with quick timings adjusted by {@code adjust}. */
  EngramBridge startBridge(UnaryOperator<BridgeConfig.Builder> adjust) {
    return startBridge(adjust.apply(config()).build());
  }

  /** Builds and starts a bridge with {@code config}, finding its transport by the URL. */
  EngramBridge startBridge(BridgeConfig config) {
    return startBridge(QuickBridge.builder(config, recorder));
  }

  /** Builds and starts a bridge with quick timings that uses {@code transport}. */
  EngramBridge startBridge(Transport transport) {
    return startBridge(QuickBridge.builder(config().build(), recorder).transport(transport));
  }

  /** Builds and starts the bridge {@code builder} describes, with this session's handler. */
  EngramBridge startBridge(EngramBridge.Builder builder) {
    if (bridge != null) {
      throw new IllegalStateException("this session already has a bridge");
    }
    bridge = builder.addHandler(handler).addTracker(tracker).build();
    bridge.start();
    return bridge;
  }

  /**
   * Waits until the server holds the bridge's stream and the bridge finished its first
   * reconciliation, so that what the server does next reaches the bridge on the stream, not
   * through a reconciliation that was still under way.
   */
  void awaitStreamAndFirstSync() {
    server.awaitOpenStreams(1, BridgeRecorder.WAIT);
    recorder.awaitSynced(1);
  }

  EngramBridge bridge() {
    return bridge;
  }

  @Override
  public void close() {
    try {
      if (bridge != null) {
        bridge.close();
      }
    } finally {
      server.close();
    }
  }
}
