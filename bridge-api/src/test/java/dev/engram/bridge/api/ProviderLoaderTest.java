package dev.engram.bridge.api;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.ServiceConfigurationError;
import org.junit.jupiter.api.Test;

/** Each nested SPI below has its own services file under src/test/resources. */
class ProviderLoaderTest {

  /** Listed: LowPriority, HighPriority, Plain (default priority), Unavailable. */
  public interface Ranked {}

  /** Listed nowhere. */
  public interface Unlisted {}

  /** Listed: Fine, Broken (its constructor throws). */
  public interface Fragile {}

  public static final class LowPriority implements Ranked, Discoverable {
    @Override
    public int priority() {
      return 1;
    }
  }

  public static final class HighPriority implements Ranked, Discoverable {
    @Override
    public int priority() {
      return 9;
    }
  }

  public static final class Plain implements Ranked {}

  public static final class AlsoPlain implements Ranked {}

  public static final class Unavailable implements Ranked, Discoverable {
    @Override
    public boolean isAvailable() {
      return false;
    }
  }

  public static final class Fine implements Fragile {}

  public static final class Broken implements Fragile {
    public Broken() {
      throw new IllegalStateException("cannot start without its config");
    }
  }

  @Test
  void loadAll_ordersByPriorityThenClassName_andDropsUnavailable() {
    List<Ranked> found = ProviderLoader.loadAll(Ranked.class);

    assertThat(classNames(found))
        .containsExactly("HighPriority", "AlsoPlain", "Plain", "LowPriority")
        .inOrder();
  }

  @Test
  void loadAll_nothingListed_isEmpty() {
    assertThat(ProviderLoader.loadAll(Unlisted.class)).isEmpty();
  }

  @Test
  void loadAll_sameClassThroughTwoLoaders_isLoadedOnce() {
    ClassLoader loader = ProviderLoaderTest.class.getClassLoader();

    List<Ranked> found = ProviderLoader.loadAll(Ranked.class, loader, loader, null);

    assertThat(found).hasSize(4);
  }

  @Test
  void loadAll_usesContextClassLoaderToo() {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    // A loader that sees nothing of its own still delegates; the result must not double up.
    thread.setContextClassLoader(new ClassLoader(previous) {});
    try {
      assertThat(ProviderLoader.loadAll(Ranked.class)).hasSize(4);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  @Test
  void loadFirst_returnsTheFirstAccepted() {
    Ranked first =
        ProviderLoader.loadFirst(
            Ranked.class, r -> r instanceof Plain, "a plain one", "com.example:ranked");

    assertThat(first).isInstanceOf(Plain.class);
  }

  @Test
  void loadFirst_noneFound_namesTheArtifactToAdd() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                ProviderLoader.loadFirst(
                    Unlisted.class, u -> true, "the URL scheme https",
                    "dev.engram.bridge:bridge-grpc"));

    assertThat(e).hasMessageThat().contains("the URL scheme https");
    assertThat(e).hasMessageThat().contains("found none");
    assertThat(e).hasMessageThat().contains("Add dev.engram.bridge:bridge-grpc to the classpath");
    assertThat(e).hasMessageThat().contains("META-INF/services/" + Unlisted.class.getName());
  }

  @Test
  void loadFirst_noneAccepted_listsWhatWasFound() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> ProviderLoader.loadFirst(Ranked.class, r -> false, "x", "com.example:ranked"));

    assertThat(e).hasMessageThat().contains(HighPriority.class.getName());
    assertThat(e).hasMessageThat().contains("supports x");
    assertThat(e).hasMessageThat().doesNotContain("Add com.example:ranked");
  }

  @Test
  void loadAll_throwingConstructor_isReportedWithItsClass() {
    ServiceConfigurationError e =
        assertThrows(ServiceConfigurationError.class, () -> ProviderLoader.loadAll(Fragile.class));

    assertThat(e).hasMessageThat().contains(Broken.class.getName());
    assertThat(e).hasMessageThat().contains("cannot start without its config");
    assertThat(e).hasCauseThat().isInstanceOf(IllegalStateException.class);
  }

  private static List<String> classNames(List<?> found) {
    return found.stream().map(o -> o.getClass().getSimpleName()).toList();
  }
}
