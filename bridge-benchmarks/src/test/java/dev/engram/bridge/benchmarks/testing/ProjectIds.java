package dev.engram.bridge.benchmarks.testing;

import java.util.ArrayList;
import java.util.List;

/** Project ids of the form {@code p<number>}. */
public final class ProjectIds {
  private ProjectIds() {}

  public static String id(int number) {
    return "p" + number;
  }

  /** {@code p0} .. {@code p<count - 1>}. */
  public static List<String> range(int from, int count) {
    List<String> ids = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      ids.add(id(i));
    }
    return ids;
  }

  public static int number(String projectId) {
    return Integer.parseInt(projectId, 1, projectId.length(), 10);
  }
}
