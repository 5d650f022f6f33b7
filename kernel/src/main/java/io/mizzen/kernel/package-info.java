/** The host process: CLI, boot, plugin manager, and the role functions it starts. */
package io.mizzen.kernel;
