package dev.engram.bridge.cli;

import dev.engram.bridge.core.BridgeConfig;
import dev.engram.bridge.core.EngramBridge;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Runs a bridge against a real server and reports what it delivers, until stopped. */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description = {
      "Watches an engram server and prints every project removal the bridge delivers.",
      "The token is read from ENGRAM_TOKEN only (flags show in process lists);"
          + " ENGRAM_TLS_CA names a PEM file of CA certificates to trust.",
      "Stops cleanly, exit 0, on SIGTERM or SIGINT."
    })
final class WatchCommand implements Callable<Integer> {
  /** The smallest grace period worth giving handlers, so SIGTERM exits within 5 s in all. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(3);

  private final Main.Console console;

  @Spec private CommandSpec spec;

  @Option(
      names = "--server-url",
      paramLabel = "URL",
      description = "The server, e.g. https://engram.example.com. Default: $ENGRAM_URL.")
  private String serverUrl;

  @Option(
      names = "--track",
      split = ",",
      paramLabel = "ID",
      description = "Project ids to track, comma-separated; may be repeated.")
  private List<String> track = new ArrayList<>();

  @Option(
      names = "--track-file",
      paramLabel = "FILE",
      description = "A file of project ids to track, one per line; '#' starts a comment.")
  private Path trackFile;

  @Option(
      names = "--heartbeat-interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How often to reconcile, e.g. 500ms, 2s, 1m. Default: 60s (jitter 1/12).")
  private Duration heartbeatInterval;

  @Option(
      names = "--json",
      description = "Print one JSON object per delivered removal on stdout, and nothing else.")
  private boolean json;

  WatchCommand(Main.Console console) {
    this.console = console;
  }

  @Override
  public Integer call() throws InterruptedException {
    Set<String> tracked = trackedIds();
    BridgeConfig config = config();
    WatchOutput output = new WatchOutput(console.out(), json);

    EngramBridge bridge;
    try {
      bridge = EngramBridge.builder()
          .config(config)
          .addHandler(output)
          .addTracker(() -> tracked)
          .addListener(output)
          .build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    output.started(config, tracked.size());
    try (bridge) {
      bridge.start();
      console.stop().await();
    }
    output.stopped();
    return 0;
  }

  private Set<String> trackedIds() {
    try {
      return Set.copyOf(TrackedIds.collect(track, trackFile));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** The environment's settings, with the URL flag taking the place of the URL variables. */
  private BridgeConfig config() {
    Map<String, String> env = new HashMap<>(console.env());
    if (serverUrl != null) {
      env.remove(BridgeConfig.ENV_URL);
      env.remove(BridgeConfig.ENV_URL_DEPRECATED);
    }
    try {
      BridgeConfig.Builder builder = BridgeConfig.builderFromEnvironment(env);
      if (serverUrl != null) {
        builder.serverUrl(serverUrl);
      } else if (env.get(BridgeConfig.ENV_URL) == null
          && env.get(BridgeConfig.ENV_URL_DEPRECATED) == null) {
        throw new IllegalArgumentException(
            "no server URL: pass --server-url URL or set " + BridgeConfig.ENV_URL);
      }
      if (heartbeatInterval != null) {
        // The default 60 s +- 5 s is +-1/12; scaling keeps short periods valid.
        Duration jitter = heartbeatInterval.dividedBy(12);
        builder.heartbeatInterval(heartbeatInterval).heartbeatJitter(jitter);
        Duration firstSync = jitter.compareTo(Duration.ofSeconds(5)) < 0
            ? jitter : Duration.ofSeconds(5);
        builder.initialSyncDelayMax(firstSync).reconnectSyncDelayMax(firstSync);
      }
      return builder.closeGracePeriod(CLOSE_GRACE).build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }
}
