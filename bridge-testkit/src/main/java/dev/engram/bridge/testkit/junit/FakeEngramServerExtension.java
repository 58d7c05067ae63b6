package dev.engram.bridge.testkit.junit;

import dev.engram.bridge.testkit.FakeEngramServer;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that starts a {@link FakeEngramServer} before each test and, after it,
 * closes the server and everything else the test registered, in reverse order, within one time
 * budget.
 *
 * <h2>Use</h2>
 *
 * Register it on a field to choose the server and to register more resources:
 *
 * <pre>{@code
 * @RegisterExtension
 * final FakeEngramServerExtension fake = FakeEngramServerExtension.inProcess();
 *
 * @Test
 * void removal_reachesHandler() {
 *   FakeEngramServer server = fake.server();
 *   EngramBridge bridge = fake.closeAfterTest(EngramBridge.builder()...build());
 *   ...
 * }
 * }</pre>
 *
 * Or with {@code @ExtendWith(FakeEngramServerExtension.class)} for an in-process server with
 * default settings. Either way the server is injected into test, {@code @BeforeEach} and {@code
 * @AfterEach} method parameters of type {@link FakeEngramServer}, and into non-static, non-final
 * fields of that type that are null when the test starts (they are set back to null after it).
 *
 * <h2>After each test</h2>
 *
 * Resources registered with {@link #closeAfterTest} are closed last-registered first, and the
 * server (registered first) last, one after another on a thread of their own. If that takes
 * longer than the budget (5 s by default), or anything throws, the test fails naming the
 * resource; the server is closed even when a resource before it hangs.
 *
 * <p>{@link #server()} and {@link #closeAfterTest} refer to the test running now: do not share
 * one instance between tests that run in parallel.
 */
public final class FakeEngramServerExtension
    implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  /** How long closing everything after a test may take unless told otherwise. */
  public static final Duration DEFAULT_CLOSE_BUDGET = Duration.ofSeconds(5);

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(FakeEngramServerExtension.class);
  private static final AtomicInteger CLOSERS = new AtomicInteger();

  private final Supplier<FakeEngramServer> servers;
  private final Duration closeBudget;
  private volatile TestResources current;

  /** For {@code @ExtendWith}: an in-process server with default settings for each test. */
  public FakeEngramServerExtension() {
    this(FakeEngramServer::inProcess, DEFAULT_CLOSE_BUDGET);
  }

  private FakeEngramServerExtension(Supplier<FakeEngramServer> servers, Duration closeBudget) {
    this.servers = servers;
    this.closeBudget = closeBudget;
  }

  /** An in-process server with default settings for each test. */
  public static FakeEngramServerExtension inProcess() {
    return new FakeEngramServerExtension();
  }

  /** A server on 127.0.0.1 and a free port, with default settings, for each test. */
  public static FakeEngramServerExtension onLoopback() {
    return using(FakeEngramServer::onLoopback);
  }

  /**
   * A server from {@code servers} for each test, for other settings: for example {@code
   * using(() -> FakeEngramServer.builder().token("t").build())}. The supplier must return a new
   * server each time; the extension starts it.
   */
  public static FakeEngramServerExtension using(Supplier<FakeEngramServer> servers) {
    return new FakeEngramServerExtension(
        Objects.requireNonNull(servers, "servers"), DEFAULT_CLOSE_BUDGET);
  }

  /** The same extension with another budget for closing everything after each test. */
  public FakeEngramServerExtension withCloseBudget(Duration budget) {
    Objects.requireNonNull(budget, "budget");
    if (budget.isNegative() || budget.isZero()) {
      throw new IllegalArgumentException(
          "the close budget is " + budget + "; expected a positive duration such as 5 s");
    }
    return new FakeEngramServerExtension(servers, budget);
  }

  /**
   * The running test's server, already started.
   *
   * @throws IllegalStateException outside a test
   */
  public FakeEngramServer server() {
    return running("server()").server;
  }

  /**
   * Closes {@code resource} after the running test, before the resources registered earlier and
   * before the server.
   *
   * @return {@code resource}, for use inline
   * @throws IllegalStateException outside a test
   */
  public <T extends AutoCloseable> T closeAfterTest(T resource) {
    running("closeAfterTest()").add(Objects.requireNonNull(resource, "resource"));
    return resource;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IllegalAccessException {
    FakeEngramServer server = Objects.requireNonNull(
        servers.get(), "the server supplier given to FakeEngramServerExtension returned null");
    TestResources resources = new TestResources(server);
    context.getStore(NAMESPACE).put(TestResources.class, resources);
    current = resources;
    server.start();
    for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
      resources.injectInto(instance);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws IllegalAccessException {
    TestResources resources =
        context.getStore(NAMESPACE).remove(TestResources.class, TestResources.class);
    if (resources == null) {
      return;
    }
    if (current == resources) {
      current = null;
    }
    resources.clearInjectedFields();
    resources.closeAll(closeBudget);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == FakeEngramServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    TestResources resources = context.getStore(NAMESPACE).get(TestResources.class,
        TestResources.class);
    if (resources == null) {
      throw new ParameterResolutionException(
          "FakeEngramServerExtension makes one server per test: inject FakeEngramServer into "
              + "test methods and @BeforeEach/@AfterEach methods, not into constructors or "
              + "@BeforeAll/@AfterAll methods");
    }
    return resources.server;
  }

  private TestResources running(String method) {
    TestResources resources = current;
    if (resources == null) {
      throw new IllegalStateException(
          method + " works only while a test runs (in @BeforeEach, the test or @AfterEach); "
              + "register the extension with @RegisterExtension on an instance field");
    }
    return resources;
  }

  /** The server and resources of one test. */
  private static final class TestResources {
    private final FakeEngramServer server;
    private final List<AutoCloseable> resources = Collections.synchronizedList(new ArrayList<>());
    private final List<InjectedField> injected = new ArrayList<>();

    TestResources(FakeEngramServer server) {
      this.server = server;
      resources.add(server);
    }

    void add(AutoCloseable resource) {
      resources.add(resource);
    }

    void injectInto(Object instance) throws IllegalAccessException {
      for (Class<?> type = instance.getClass(); type != Object.class; type = type.getSuperclass()) {
        for (Field field : type.getDeclaredFields()) {
          int modifiers = field.getModifiers();
          if (field.getType() != FakeEngramServer.class
              || Modifier.isStatic(modifiers)
              || Modifier.isFinal(modifiers)) {
            continue;
          }
          field.setAccessible(true);
          if (field.get(instance) == null) {
            field.set(instance, server);
            injected.add(new InjectedField(instance, field));
          }
        }
      }
    }

    void clearInjectedFields() throws IllegalAccessException {
      for (InjectedField target : injected) {
        if (target.field.get(target.instance) == server) {
          target.field.set(target.instance, null);
        }
      }
    }

    /** Closes everything, newest first, on one thread, within {@code budget}. */
    void closeAll(Duration budget) {
      List<AutoCloseable> newestFirst = new ArrayList<>(resources);
      Collections.reverse(newestFirst);
      List<AssertionError> failures = Collections.synchronizedList(new ArrayList<>());
      AtomicReference<AutoCloseable> closing = new AtomicReference<>();
      Thread closer = new Thread(() -> {
        for (AutoCloseable resource : newestFirst) {
          closing.set(resource);
          try {
            resource.close();
          } catch (Throwable e) {
            failures.add(new AssertionError(describe(resource) + " threw on close", e));
          }
        }
        closing.set(null);
      }, FakeEngramServer.THREAD_NAME_PREFIX + "closer-" + CLOSERS.incrementAndGet());
      closer.setDaemon(true);
      closer.start();
      try {
        closer.join(Math.max(1, budget.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }

      if (closer.isAlive()) {
        AutoCloseable stuck = closing.get();
        closer.interrupt();
        AssertionError timeout = new AssertionError(
            "closing after the test took longer than its budget of " + budget + ": "
                + describe(stuck) + " had not returned from close(); its thread was "
                + "interrupted and the server closed anyway");
        // The server must not outlive the test, whatever hangs before it.
        try {
          server.close();
        } catch (RuntimeException e) {
          timeout.addSuppressed(e);
        }
        failures.forEach(timeout::addSuppressed);
        throw timeout;
      }
      if (!failures.isEmpty()) {
        AssertionError failed = new AssertionError(
            failures.size() + " resource(s) failed to close after the test; first: "
                + failures.get(0).getMessage(), failures.get(0).getCause());
        failures.stream().skip(1).forEach(failed::addSuppressed);
        throw failed;
      }
    }

    private String describe(AutoCloseable resource) {
      if (resource == server) {
        return "the FakeEngramServer " + server.name();
      }
      int position = resources.indexOf(resource);
      return "resource #" + position + " (" + resource.getClass().getName() + ")";
    }
  }

  private static final class InjectedField {
    final Object instance;
    final Field field;

    InjectedField(Object instance, Field field) {
      this.instance = instance;
      this.field = field;
    }
  }
}
