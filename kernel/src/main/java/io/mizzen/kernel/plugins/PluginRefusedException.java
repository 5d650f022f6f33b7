package io.mizzen.kernel.plugins;

/** A plugin file is not acceptable; the message says why, for the refusal record. */
final class PluginRefusedException extends RuntimeException {
  PluginRefusedException(String reason) {
    super(reason, null, false, false);
  }
}
