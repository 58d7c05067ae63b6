package dev.engram.bridge.cli;

import dev.engram.bridge.api.BridgeListener;
import dev.engram.bridge.api.BridgeState;
import dev.engram.bridge.api.ProjectRemoval;
import dev.engram.bridge.api.ProjectRemovalAware;
import dev.engram.bridge.api.transport.TransportException;
import dev.engram.bridge.core.BridgeConfig;
import java.io.PrintStream;
import java.time.Duration;

/**
 * What {@code watch} prints on stdout: with {@code --json} exactly one JSON object per delivered
 * removal and nothing else; without it, a readable line per state change, removal and
 * reconciliation. Logs go to stderr, never here.
 */
final class WatchOutput implements ProjectRemovalAware, BridgeListener {
  private final PrintStream out;
  private final boolean json;

  WatchOutput(PrintStream out, boolean json) {
    this.out = out;
    this.json = json;
  }

  void started(BridgeConfig config, int trackedCount) {
    readable("watching " + config.serverUrl().map(Object::toString).orElse("(no server)")
        + ", tracking " + trackedCount + " project(s), reconciling every "
        + seconds(config.heartbeatInterval()));
  }

  void stopped() {
    readable("stopped");
  }

  @Override
  public void onProjectRemoved(ProjectRemoval removal) {
    if (json) {
      out.println(JsonLine.of(removal));
    } else {
      out.println("removed " + removal.projectId() + " (via " + removal.source().wireName()
          + removal.eventId().map(id -> ", event " + id).orElse("")
          + removal.reason().map(reason -> ", reason: " + reason).orElse("") + ")");
    }
  }

  @Override
  public void stateChanged(BridgeState previous, BridgeState current) {
    switch (current) {
      case CONNECTED:
        readable("connected");
        break;
      case BACKING_OFF:
        readable("disconnected; backing off before the next attempt");
        break;
      case AUTH_FAILED:
        readable("the server refused the token (ENGRAM_TOKEN); retrying at the longest backoff");
        break;
      case HEARTBEAT_ONLY:
        readable("the server has no event stream; reconciling only");
        break;
      default:
        break;
    }
  }

  @Override
  public void streamClosed(TransportException failure) {
    readable("stream closed: " + (failure == null
        ? "ended by the server" : failure.status() + " " + failure.getMessage()));
  }

  @Override
  public void syncCompleted(
      int localIds, int removed, int unknown, Duration duration, Duration clockSkew) {
    readable("reconciled " + localIds + " id(s): " + removed + " removed, " + unknown
        + " unknown, in " + duration.toMillis() + " ms");
  }

  @Override
  public void syncFailed(TransportException failure) {
    readable("reconciliation failed: " + failure.status() + " " + failure.getMessage());
  }

  private void readable(String line) {
    if (!json) {
      out.println(line);
    }
  }

  private static String seconds(Duration duration) {
    return duration.toMillis() % 1000 == 0
        ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
  }
}
