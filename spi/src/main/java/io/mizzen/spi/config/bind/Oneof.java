package io.mizzen.spi.config.bind;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A protobuf {@code oneof} on a record type: of the named components, at most one may be set (and
 * exactly one when {@link #required()}). The binder reports a violation on the record's path.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Oneof {
  /** The names of the components that exclude each other. */
  String[] value();

  /** Whether one of them must be set. */
  boolean required() default false;
}
