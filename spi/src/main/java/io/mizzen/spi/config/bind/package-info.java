/**
 * The strict binder that turns a resource's untyped {@code spec} (plain maps, lists and scalars
 * as read from YAML) into the typed records of the resource model, reporting every problem
 * (unknown fields, wrong types, bad enums, bad durations, missing required fields) with its field
 * path. Shared by the control plane (validation) and the proxy (reading pushed config).
 */
package io.mizzen.spi.config.bind;
