/**
 * The fake server's implementation. Not an API: anything here may change without notice; use
 * {@link dev.engram.bridge.testkit.FakeEngramServer}.
 */
package dev.engram.bridge.testkit.internal;
