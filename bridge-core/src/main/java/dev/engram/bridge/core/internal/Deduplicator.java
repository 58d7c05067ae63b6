package dev.engram.bridge.core.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * Where the stream and the heartbeat meet: decides, per removal (event type, project id), which
 * handlers still have to be called, and remembers how each handler fared.
 *
 * <p>Two memories, both bounded:
 *
 * <ul>
 *   <li>Removals of <em>tracked</em> projects are remembered for as long as some tracker holds
 *       the project, however many there are: the server keeps reporting such a removal at every
 *       reconciliation, and it must not fire again. {@link #prune} forgets those whose project
 *       left every tracker, so this memory is bounded by what the trackers hold.
 *   <li>Removals of untracked projects (only the stream reports those) and pruned ones live in an
 *       exact {@link RecentWindow} of fixed size.
 * </ul>
 *
 * <p>A pruned removal is marked <em>retired</em> in the window: it still suppresses a replay of
 * the same event while the project stays untracked, but once the project is tracked again a new
 * removal of it fires again.
 *
 * <p>A handler that threw is called again when the removal is reported again, until it
 * succeeds or has been called {@code maxAttempts} times. Thread-safe.
 */
final class Deduplicator {
  /** Where one handler stands with one removal. */
  enum Outcome {
    /** Queued or running. */
    PENDING,
    SUCCEEDED,
    /** Threw; will be called again when the removal is reported again. */
    FAILED,
    /** Threw on its last allowed attempt. */
    GAVE_UP
  }

  /** What to do with a reported removal. */
  enum Verdict {
    /** Never seen: call every handler. */
    NEW,
    /** Seen, and some handlers threw: call those again. */
    RETRY,
    /** Seen, and nothing is left to do. */
    DUPLICATE
  }

  /** The key: a removal is the same removal when its type and project are. */
  record Key(String eventType, String projectId) {}

  /**
   * One removal's per-handler progress: per handler one int, its {@link Outcome} in the low two
   * bits and the number of attempts above them. A slot belongs to the handler's own call while
   * it is pending and to {@link #offer} once it has failed, so the slots are atomics rather than
   * guarded by the deduplicator's lock: handlers finishing on many threads at once do not contend
   * with each other or with the stream. {@code retired} is guarded by the lock.
   */
  static final class Delivery {
    private static final AtomicIntegerFieldUpdater<Delivery> FAILED_SLOTS =
        AtomicIntegerFieldUpdater.newUpdater(Delivery.class, "failedSlots");
    private static final Outcome[] OUTCOMES = Outcome.values();

    /** All zero: every handler {@link Outcome#PENDING}, no attempt made. */
    private final AtomicIntegerArray slots;
    /**
     * How many slots are {@link Outcome#FAILED}, raised after a slot becomes FAILED and lowered
     * after a retry takes one back. A report of a removal that nothing failed, by far the
     * commonest (every reconciliation repeats every removed but tracked project), reads only
     * this field. A report that reads it just before a failure lands leaves the retry to the
     * next report, as a report that came just before the failure would.
     */
    private volatile int failedSlots;
    private boolean retired;

    private Delivery(int handlers) {
      this.slots = new AtomicIntegerArray(handlers);
    }

    private static Outcome outcome(int slot) {
      return OUTCOMES[slot & 3];
    }

    private static int attempts(int slot) {
      return slot >>> 2;
    }

    private static int slot(Outcome outcome, int attempts) {
      return attempts << 2 | outcome.ordinal();
    }

    /** Moves handler {@code h} from {@code from} to {@code to}, keeping its attempts. */
    private boolean move(int h, Outcome from, Outcome to) {
      int now = slots.get(h);
      return outcome(now) == from && slots.compareAndSet(h, now, slot(to, attempts(now)));
    }

    /** The number the pending call of handler {@code h} has among its attempts. */
    private int attemptOfCall(int h) {
      return attempts(slots.get(h)) + 1;
    }

    /** Ends the pending call of handler {@code h}, which only that call may do. */
    private void finish(int h, Outcome outcome, int attempt) {
      slots.set(h, slot(outcome, attempt));
    }
  }

  /** The answer to {@link #offer}: what to do and for which handlers. */
  record Decision(Verdict verdict, Delivery delivery, List<Integer> handlers) {}

  /** What a finished call means: which attempt it was and whether it was the last. */
  record Attempt(int number, boolean givingUp) {}

  private final int handlerCount;
  private final int maxAttempts;
  private final Map<Key, Delivery> tracked = new HashMap<>();
  private final RecentWindow<Key, Delivery> window;
  private final List<Integer> allHandlers;

  Deduplicator(int handlerCount, int maxAttempts, int windowSize) {
    this.handlerCount = handlerCount;
    this.maxAttempts = maxAttempts;
    this.window = new RecentWindow<>(windowSize);
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < handlerCount; i++) {
      all.add(i);
    }
    this.allHandlers = List.copyOf(all);
  }

  /**
   * Records that {@code projectId} was reported removed and says what to do about it. Handlers
   * returned are marked pending: a concurrent report of the same removal will not get them too.
   *
   * @param isTracked whether some tracker holds the project now
   */
  synchronized Decision offer(String eventType, String projectId, boolean isTracked) {
    Key key = new Key(eventType, projectId);
    Delivery delivery = tracked.get(key);
    if (delivery == null && !isTracked) {
      // The stream's common case, a removal never seen: one map operation remembers it.
      Delivery fresh = new Delivery(handlerCount);
      delivery = window.putIfAbsent(key, fresh);
      if (delivery == null) {
        return new Decision(Verdict.NEW, fresh, allHandlers);
      }
    } else if (delivery == null) {
      Delivery remembered = window.remove(key);
      if (remembered == null || remembered.retired) {
        // Never seen, or retired when its project left every tracker: a new removal.
        Delivery fresh = new Delivery(handlerCount);
        tracked.put(key, fresh);
        return new Decision(Verdict.NEW, fresh, allHandlers);
      }
      // First reported before any tracker held it: the same removal, remembered from now on for
      // as long as the project is tracked.
      tracked.put(key, remembered);
      delivery = remembered;
    }
    if (delivery.failedSlots == 0) {
      return new Decision(Verdict.DUPLICATE, delivery, List.of());
    }
    List<Integer> retry = new ArrayList<>();
    for (int i = 0; i < handlerCount; i++) {
      if (delivery.move(i, Outcome.FAILED, Outcome.PENDING)) {
        Delivery.FAILED_SLOTS.decrementAndGet(delivery);
        retry.add(i);
      }
    }
    return retry.isEmpty()
        ? new Decision(Verdict.DUPLICATE, delivery, List.of())
        : new Decision(Verdict.RETRY, delivery, List.copyOf(retry));
  }

  /** Handler {@code handler} returned normally for this removal. */
  Attempt succeeded(Delivery delivery, int handler) {
    int attempt = delivery.attemptOfCall(handler);
    delivery.finish(handler, Outcome.SUCCEEDED, attempt);
    return new Attempt(attempt, false);
  }

  /** Handler {@code handler} threw for this removal. */
  Attempt failed(Delivery delivery, int handler) {
    int attempt = delivery.attemptOfCall(handler);
    boolean givingUp = attempt >= maxAttempts;
    delivery.finish(handler, givingUp ? Outcome.GAVE_UP : Outcome.FAILED, attempt);
    if (!givingUp) {
      Delivery.FAILED_SLOTS.incrementAndGet(delivery);
    }
    return new Attempt(attempt, givingUp);
  }

  /**
   * The call to handler {@code handler} will not happen (the bridge is closing). Leaves it
   * eligible for a retry without counting an attempt.
   */
  void abandoned(Delivery delivery, int handler) {
    if (delivery.move(handler, Outcome.PENDING, Outcome.FAILED)) {
      Delivery.FAILED_SLOTS.incrementAndGet(delivery);
    }
  }

  /**
   * Forgets, for tracked projects, every removal whose project is no longer in {@code
   * trackedIds}: it moves to the window as retired. Call with a complete union only: a tracker
   * that failed would make its projects look untracked, and their removals fire again.
   */
  synchronized void prune(Set<String> trackedIds) {
    Iterator<Map.Entry<Key, Delivery>> it = tracked.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Key, Delivery> entry = it.next();
      if (!trackedIds.contains(entry.getKey().projectId())) {
        it.remove();
        entry.getValue().retired = true;
        window.put(entry.getKey(), entry.getValue());
      }
    }
  }

  /** How many removals of tracked projects are remembered. */
  synchronized int trackedCount() {
    return tracked.size();
  }

  /** How many removals the window holds. */
  int windowCount() {
    return window.size();
  }
}
