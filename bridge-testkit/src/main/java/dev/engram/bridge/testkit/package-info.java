/**
 * Test helpers for engram-bridge and for the teams that use it: a fake engram server, a
 * recording handler, a fake tracker and a fake clock.
 *
 * <ul>
 *   <li>{@link dev.engram.bridge.testkit.FakeEngramServer}: serves {@code engram.v1.EngramService}
 *       in-process or on 127.0.0.1 with the real server's rules; scriptable and recording.
 *   <li>{@link dev.engram.bridge.testkit.RecordingRemovalHandler}: records removals, waits for
 *       them, and can fail or block on purpose.
 *   <li>{@link dev.engram.bridge.testkit.FakeProjectTracker}: a mutable set of tracked ids.
 *   <li>{@link dev.engram.bridge.testkit.FakeClock}: a scheduled executor, ticker and wall clock
 *       that move only when the test advances them.
 *   <li>{@code dev.engram.bridge.testkit.junit.FakeEngramServerExtension}: a server per JUnit 5
 *       test, closed with everything else the test registered.
 * </ul>
 *
 * <p>Nothing here depends on JUnit except the {@code junit} package, which needs
 * {@code junit-jupiter-api} on the test classpath.
 */
package dev.engram.bridge.testkit;
