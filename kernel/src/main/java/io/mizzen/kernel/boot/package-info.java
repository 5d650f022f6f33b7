/**
 * Boot: one kernel per process. It starts Vert.x (clustered when the settings say so; its event
 * loops on io_uring where the machine allows it, else Java NIO, as the settings' {@code transport}
 * says), the plugin host, the mesh functions of the role it plays, and the admin server; and stops
 * them in reverse.
 */
package io.mizzen.kernel.boot;
