/**
 * The listchecker adapter: checks a listentry value against a white or black list of strings,
 * case-insensitive strings, IP addresses and CIDR ranges, or regular expressions; the list comes
 * from config ({@code overrides}) and/or a provider URL fetched on a schedule.
 */
package io.mizzen.plugins.listchecker;
