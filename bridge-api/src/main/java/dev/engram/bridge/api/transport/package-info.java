/**
 * The transport SPI: how the bridge's engine reaches an engram server without knowing the wire
 * protocol. {@code bridge-grpc} implements it with grpc-java; tests implement it in memory.
 *
 * <p>A {@link dev.engram.bridge.api.transport.TransportProvider} is found with {@link
 * java.util.ServiceLoader} and chosen by the scheme of the server URL. The {@link
 * dev.engram.bridge.api.transport.Transport} it creates opens event streams and performs
 * reconciliation calls. Failures reach the engine as a {@link
 * dev.engram.bridge.api.transport.TransportException} of one {@link
 * dev.engram.bridge.api.transport.FailureKind}, which is all the engine needs to decide what to
 * do next.
 */
package dev.engram.bridge.api.transport;
