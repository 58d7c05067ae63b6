/**
 * JUnit 5 support for the testkit: {@link
 * dev.engram.bridge.testkit.junit.FakeEngramServerExtension}. Needs {@code junit-jupiter-api}
 * on the test classpath; the rest of the testkit does not.
 */
package dev.engram.bridge.testkit.junit;
