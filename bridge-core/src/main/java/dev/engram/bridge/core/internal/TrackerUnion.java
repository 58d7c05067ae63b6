package dev.engram.bridge.core.internal;

import dev.engram.bridge.api.ProjectTracker;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The union of every {@link ProjectTracker}'s ids. A tracker that throws is skipped for that
 * call; it is warned about once until it works again.
 */
final class TrackerUnion {
  private static final Logger logger = LoggerFactory.getLogger(TrackerUnion.class);

  /**
   * One reading of the union.
   *
   * @param ids the ids, sorted, so that chunks are the same from one reconciliation to the next
   * @param idSet the same ids, for lookups
   * @param complete false when some tracker failed, so the union may be missing projects
   */
  record Snapshot(List<String> ids, Set<String> idSet, boolean complete) {}

  private final List<ProjectTracker> trackers;
  private final Set<ProjectTracker> failing = ConcurrentHashMap.newKeySet();
  /** What each tracker handed out at the previous reading, by index; guarded by this. */
  private final IdSequence[] lastRead;
  /** The union of {@link #lastRead}; guarded by this. */
  private SortedIds lastUnion = SortedIds.EMPTY;

  TrackerUnion(List<ProjectTracker> trackers) {
    this.trackers = List.copyOf(trackers);
    this.lastRead = new IdSequence[this.trackers.size()];
    Arrays.fill(lastRead, IdSequence.EMPTY);
  }

  /**
   * Reads every tracker. What counts is the content read now, never the identity of the sets a
   * tracker returns: a tracker may hand out one live set and change it between readings. While
   * each tracker hands out the same ids in the same order as at the previous reading, the
   * previous sorted union is handed out again; when some order or content differs, the union is
   * checked against the previous one, and only new ids are sorted.
   */
  synchronized Snapshot snapshot() {
    boolean complete = true;
    boolean sameAsBefore = true;
    for (int i = 0; i < trackers.size(); i++) {
      IdSequence.Reader reader = lastRead[i].next();
      complete &= read(trackers.get(i), ids -> {
        for (String id : ids) {
          reader.add(id);
        }
      });
      IdSequence now = reader.finish();
      sameAsBefore &= now == lastRead[i];
      lastRead[i] = now;
    }
    if (!sameAsBefore) {
      SortedIds.Reading union = new SortedIds.Reading(lastUnion);
      for (IdSequence ids : lastRead) {
        ids.forEach(union::add);
      }
      lastUnion = union.result();
    }
    return new Snapshot(lastUnion.list(), lastUnion.set(), complete);
  }

  /**
   * Whether some tracker holds {@code projectId} now, asked of each with {@link
   * ProjectTracker#tracks}: this runs for every streamed removal. A failing tracker counts as
   * not holding it.
   */
  boolean contains(String projectId) {
    boolean[] found = new boolean[1];
    for (ProjectTracker tracker : trackers) {
      guarded(tracker, () -> found[0] = tracker.tracks(projectId));
      if (found[0]) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reads one tracker and hands its ids to {@code use}, inside the same guard: a tracker that
   * hands out a live set can fail while it is read, not only when it is asked.
   *
   * @return false when the tracker failed
   */
  private boolean read(ProjectTracker tracker, Consumer<Set<String>> use) {
    return guarded(tracker, () -> {
      Set<String> ids = tracker.trackedProjectIds();
      use.accept(ids == null ? Set.of() : ids);
    });
  }

  /**
   * Runs {@code call} of {@code tracker}'s code, warning once when the tracker starts failing and
   * once when it works again.
   *
   * @return false when the tracker failed
   */
  private boolean guarded(ProjectTracker tracker, Runnable call) {
    try {
      call.run();
      if (!failing.isEmpty() && failing.remove(tracker)) {
        logger.atInfo()
            .addKeyValue("tracker", tracker.getClass().getName())
            .log("project tracker works again");
      }
      return true;
    } catch (RuntimeException e) {
      boolean first = failing.add(tracker);
      (first ? logger.atWarn() : logger.atDebug())
          .addKeyValue("tracker", tracker.getClass().getName())
          .setCause(e)
          .log("project tracker threw; skipped this time");
      return false;
    }
  }
}
