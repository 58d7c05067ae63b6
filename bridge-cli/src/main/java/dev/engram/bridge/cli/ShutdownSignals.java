package dev.engram.bridge.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * Turns SIGTERM and SIGINT into a {@link StopSignal}, so that {@code watch} closes its bridge
 * and the process exits 0. A plain shutdown hook would not do: the JVM then exits 143 (or 130)
 * whatever the hook does.
 *
 * <p>The JDK's only signal API is {@code sun.misc.Signal} (module jdk.unsupported). It is reached
 * by reflection so that the build does not depend on an internal API; where it is missing the
 * JVM's default handling stays, and stopping still works, only with a non-zero exit code.
 */
final class ShutdownSignals {

  private ShutdownSignals() {}

  static void install(Main.Console console) {
    try {
      Class<?> signalType = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Object handler = Proxy.newProxyInstance(
          ShutdownSignals.class.getClassLoader(),
          new Class<?>[] {handlerType},
          (proxy, method, args) -> {
            if (method.getName().equals("handle")) {
              console.stop().fire();
            }
            return method.getDeclaringClass() == Object.class
                ? method.invoke(console, args) : null;
          });
      for (String name : new String[] {"TERM", "INT"}) {
        Object signal = signalType.getConstructor(String.class).newInstance(name);
        signalType.getMethod("handle", signalType, handlerType).invoke(null, signal, handler);
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
      console.err().println("engram-bridge: cannot handle SIGTERM/SIGINT (" + cause
          + "); the JVM's default handling applies");
    }
  }
}
