/**
 * The PF4J plugin host: loads plugin jars from the plugins folder, refuses bad ones with a reason
 * that names the jar (SPI version mismatch, corrupt jar, duplicate id, an extension that fails to
 * start) while the kernel keeps running, and follows the folder so a dropped-in jar loads and a
 * removed one unloads without a restart.
 */
package io.mizzen.kernel.plugins;
