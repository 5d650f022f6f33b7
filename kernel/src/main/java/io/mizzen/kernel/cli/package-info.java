/**
 * The {@code mizzen} command line (picocli): the role commands that boot a kernel, and the
 * operator tools, istioctl-style.
 */
package io.mizzen.kernel.cli;
