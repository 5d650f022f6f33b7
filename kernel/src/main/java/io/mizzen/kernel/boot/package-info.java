/**
 * Boot: one kernel per process. It starts Vert.x (clustered when the settings say so), the plugin
 * host, the mesh functions of the role it plays, and the admin server; and stops them in reverse.
 */
package io.mizzen.kernel.boot;
