package dev.engram.bridge.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The engram-bridge runnable. With no arguments it runs {@code demo}; {@code watch} runs the
 * bridge as a sidecar beside a real server.
 */
@Command(
    name = "engram-bridge",
    mixinStandardHelpOptions = true,
    version = "engram-bridge 0.1.0",
    description = "Keeps a daemon in step with an engram server's project removals.",
    subcommands = {DemoCommand.class, WatchCommand.class})
public final class Main implements Callable<Integer> {
  private static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

  private final Console console;

  Main(Console console) {
    this.console = console;
  }

  /** Runs the command line and exits with its code: 0 done, 1 failed, 2 bad arguments. */
  public static void main(String[] args) {
    boolean demo = args.length == 0 || args[0].equals("demo");
    if (demo && System.getProperty(LOG_LEVEL_PROPERTY) == null) {
      // The demo's narration is its output; library INFO lines would only interleave with it.
      System.setProperty(LOG_LEVEL_PROPERTY, "warn");
    }
    Console console = Console.system();
    ShutdownSignals.install(console);
    int code = run(console, args);
    System.out.flush();
    System.exit(code);
  }

  /** Runs one command line against {@code console}, for tests and embedding. */
  static int run(Console console, String... args) {
    CommandLine commandLine = new CommandLine(Main.class, new Factory(console));
    commandLine.setOut(new java.io.PrintWriter(console.out(), true));
    commandLine.setErr(new java.io.PrintWriter(console.err(), true));
    // Commands reject bad settings they can only check once parsed (a URL, a track file) with
    // a ParameterException: report those like parse errors, with the usage and exit code 2.
    commandLine.setExecutionExceptionHandler((error, command, parsed) -> {
      if (error instanceof CommandLine.ParameterException) {
        return command.getParameterExceptionHandler()
            .handleParseException((CommandLine.ParameterException) error, args);
      }
      throw error;
    });
    return commandLine.execute(args);
  }

  @Override
  public Integer call() {
    return new DemoCommand(console).call();
  }

  /** What a command may touch: its output streams, the environment, and the stop signal. */
  record Console(PrintStream out, PrintStream err, Map<String, String> env, StopSignal stop) {
    static Console system() {
      return new Console(System.out, System.err, System.getenv(), new StopSignal());
    }
  }

  /** Builds commands with the console handed in, so tests need no process of their own. */
  private static final class Factory implements CommandLine.IFactory {
    private final Console console;

    Factory(Console console) {
      this.console = console;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
      if (type == Main.class) {
        return type.cast(new Main(console));
      }
      if (type == DemoCommand.class) {
        return type.cast(new DemoCommand(console));
      }
      if (type == WatchCommand.class) {
        return type.cast(new WatchCommand(console));
      }
      return CommandLine.defaultFactory().create(type);
    }
  }

}
