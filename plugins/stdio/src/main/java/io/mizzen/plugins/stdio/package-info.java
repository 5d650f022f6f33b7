/**
 * The stdio adapter: logentry and metric instances as JSON (or console) lines on stdout, stderr,
 * a file or a size-rotated file, written off the event loop in arrival order.
 */
package io.mizzen.plugins.stdio;
