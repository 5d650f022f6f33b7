/** A plugin whose mesh function throws when started: the kernel must refuse it and keep serving. */
package io.mizzen.testplugins.failing;
