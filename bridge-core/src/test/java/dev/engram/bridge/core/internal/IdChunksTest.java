package dev.engram.bridge.core.internal;

import static com.google.common.truth.Truth.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdChunksTest {
  private final IdChunks chunks = new IdChunks();

  @Test
  void chunks_coverTheIdsInOrder_theLastOneShorter() {
    List<String> ids = List.of("a", "b", "c", "d", "e");

    assertThat(chunks.chunk(ids, 0, 2)).containsExactly("a", "b").inOrder();
    assertThat(chunks.chunk(ids, 2, 2)).containsExactly("c", "d").inOrder();
    assertThat(chunks.chunk(ids, 4, 2)).containsExactly("e");
  }

  @Test
  void sameListAndSize_givesTheSameImmutableChunk() {
    List<String> ids = List.of("a", "b", "c");

    List<String> first = chunks.chunk(ids, 2, 2);

    assertThat(chunks.chunk(ids, 2, 2)).isSameInstanceAs(first);
    assertThat(List.copyOf(first)).isSameInstanceAs(first);
  }

  @Test
  void anotherList_givesItsOwnIds() {
    chunks.chunk(List.of("a", "b"), 0, 2);

    assertThat(chunks.chunk(List.of("x", "y"), 0, 2)).containsExactly("x", "y").inOrder();
  }

  @Test
  void anotherSizeOrAnOffsetOffTheGrid_givesTheRightIds() {
    List<String> ids = List.of("a", "b", "c", "d", "e", "f");
    chunks.chunk(ids, 0, 4);

    assertThat(chunks.chunk(ids, 0, 2)).containsExactly("a", "b").inOrder();
    assertThat(chunks.chunk(ids, 3, 2)).containsExactly("d", "e").inOrder();
    assertThat(chunks.chunk(ids, 5, 4)).containsExactly("f");
  }

  @Test
  void chunk_doesNotFollowLaterChangesOfAMutableSource() {
    List<String> ids = new ArrayList<>(List.of("a", "b"));
    List<String> chunk = chunks.chunk(ids, 0, 2);

    ids.set(0, "z");

    assertThat(chunk).containsExactly("a", "b").inOrder();
  }

  @Test
  void emptyList_givesOneEmptyChunk() {
    assertThat(chunks.chunk(List.of(), 0, 10)).isEmpty();
  }
}
