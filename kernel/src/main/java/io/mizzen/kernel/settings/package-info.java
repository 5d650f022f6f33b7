/**
 * The mesh-wide settings file {@code mizzen.yaml}: its typed model with documented defaults, and
 * the loader that validates it and names the file, line and field of every error.
 */
package io.mizzen.kernel.settings;
