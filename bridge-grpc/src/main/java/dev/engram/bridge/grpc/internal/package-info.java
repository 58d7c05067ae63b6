/**
 * How {@code bridge-grpc} works inside: the calls, the channel it builds, its threads, failure
 * classification and wire mapping. Not API: anything here may change in any release.
 */
package dev.engram.bridge.grpc.internal;
