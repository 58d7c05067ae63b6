package dev.engram.bridge.core.internal;

import java.util.List;

/**
 * Immutable chunks of one list of ids, kept for as long as the heartbeat reads the same list
 * with the same chunk size (the tracker union hands out the same list while its ids are
 * unchanged). An immutable chunk goes into a sync request without being copied again, so an
 * unchanged union costs no copying from one reconciliation to the next. Confined to the serial
 * context.
 */
final class IdChunks {
  private List<String> source = List.of();
  private int chunkSize;
  private List<?>[] chunks = new List<?>[0];

  /**
   * The ids from {@code offset}, at most {@code chunkSize} of them, as an immutable list. A
   * chunk that starts on a multiple of the chunk size is kept for the next call with the same
   * list, so {@code ids} must be a list that never changes.
   */
  List<String> chunk(List<String> ids, int offset, int chunkSize) {
    int end = Math.min(ids.size(), offset + chunkSize);
    if (offset >= end) {
      return List.of();
    }
    if (offset % chunkSize != 0) {
      return List.copyOf(ids.subList(offset, end));
    }
    if (ids != source || chunkSize != this.chunkSize) {
      source = ids;
      this.chunkSize = chunkSize;
      chunks = new List<?>[(ids.size() + chunkSize - 1) / chunkSize];
    }
    int index = offset / chunkSize;
    @SuppressWarnings("unchecked")
    List<String> chunk = (List<String>) chunks[index];
    if (chunk == null) {
      chunk = List.copyOf(ids.subList(offset, end));
      chunks[index] = chunk;
    }
    return chunk;
  }
}
