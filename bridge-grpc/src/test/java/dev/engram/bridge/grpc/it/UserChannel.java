package dev.engram.bridge.grpc.it;

import dev.engram.bridge.grpc.testing.RecordingChannel;
import dev.engram.bridge.testkit.FakeEngramServer;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A channel a user built and owns, to an in-process fake server, with a timer of its own so
 * that it borrows none of gRPC's shared threads (which linger after a channel closes and would
 * confuse the thread checks of later tests). Closing it is the user's job: here, the test's.
 */
final class UserChannel implements AutoCloseable {
  final RecordingChannel channel;
  private final ScheduledThreadPoolExecutor timer;

  private UserChannel(RecordingChannel channel, ScheduledThreadPoolExecutor timer) {
    this.channel = channel;
    this.timer = timer;
  }

  static UserChannel to(FakeEngramServer server) {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "user-channel-timer");
      thread.setDaemon(true);
      return thread;
    });
    timer.setRemoveOnCancelPolicy(true);
    return new UserChannel(new RecordingChannel(InProcessChannelBuilder.forName(server.name())
        .directExecutor()
        .scheduledExecutorService(timer)
        .build()), timer);
  }

  @Override
  public void close() {
    channel.shutdownNow();
    timer.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
