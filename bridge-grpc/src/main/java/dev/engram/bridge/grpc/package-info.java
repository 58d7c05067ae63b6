/**
 * The grpc-java transport of engram-bridge: {@link dev.engram.bridge.grpc.GrpcTransportProvider}
 * is found through {@link java.util.ServiceLoader} for {@code http}, {@code grpc}, {@code https},
 * {@code grpcs} and {@code inprocess} server URLs, and builds a {@link
 * dev.engram.bridge.grpc.GrpcTransport}. Users who build their own {@code ManagedChannel} use
 * {@link dev.engram.bridge.grpc.GrpcTransport#forChannel}. Everything in {@code
 * dev.engram.bridge.grpc.internal} is implementation detail.
 */
package dev.engram.bridge.grpc;
