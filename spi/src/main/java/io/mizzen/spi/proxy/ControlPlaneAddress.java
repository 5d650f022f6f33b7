package io.mizzen.spi.proxy;

/**
 * Where the agent reaches its control plane (Pilot's gRPC address), published through
 * {@link io.mizzen.spi.MeshContext#publish} so the proxy finds the control plane's other
 * services on the same host: its Mixer, unless {@code plugins.settings.proxy.mixer} says
 * otherwise, is this host on the mesh's Mixer port, as Istio's sidecars reached
 * {@code istio-policy} beside Pilot.
 *
 * @param host the control plane's host name or address
 * @param port its gRPC port (15010 by default)
 */
public record ControlPlaneAddress(String host, int port) {}
