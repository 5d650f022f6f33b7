/** The denier adapter: every check it receives is answered with its configured status. */
package io.mizzen.plugins.denier;
