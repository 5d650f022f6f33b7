package io.mizzen.spi.config.security;

/** Whether an RBAC decision is enforced or only logged. */
public enum EnforcementMode { ENFORCED, PERMISSIVE }
