package io.mizzen.kernel.config;

import io.mizzen.kernel.config.ConfigProblem.Severity;
import io.mizzen.spi.config.Resource;
import io.mizzen.spi.config.networking.StringMatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Collects the problems of one resource, each at its field's line, with the checks shared by kinds. */
final class Findings {
  private final Resource resource;
  private final List<ConfigProblem> problems = new ArrayList<>();

  Findings(Resource resource) {
    this.resource = resource;
  }

  Resource resource() {
    return resource;
  }

  List<ConfigProblem> problems() {
    return List.copyOf(problems);
  }

  void error(String field, String message) {
    problems.add(ConfigProblem.of(Severity.ERROR, resource, field, message));
  }

  void warn(String field, String message) {
    problems.add(ConfigProblem.of(Severity.WARNING, resource, field, message));
  }

  void port(String field, Integer port) {
    if (port != null && (port < 1 || port > 65535)) {
      error(field, "port " + port + " is out of range 1-65535");
    }
  }

  void percent(String field, Number value) {
    // Written so that NaN (YAML's .nan) fails too: it compares false both ways, and on the wire
    // to the proxy it becomes the string "NaN", which the proxy cannot bind.
    if (value != null && !(value.doubleValue() >= 0 && value.doubleValue() <= 100)) {
      error(field, "percentage " + value + " is out of range 0-100");
    }
  }

  void httpStatus(String field, Integer status) {
    if (status != null && (status < 200 || status > 599)) {
      error(field, "HTTP status " + status + " is out of range 200-599");
    }
  }

  void atLeast(String field, Integer value, int min) {
    if (value != null && value < min) {
      error(field, "must be at least " + min + ", got " + value);
    }
  }

  /** Istio refuses durations under a millisecond (and negative ones, which the binder refuses). */
  void duration(String field, Duration d) {
    if (d != null && d.compareTo(Duration.ofMillis(1)) < 0) {
      error(field, "duration must be at least 1ms");
    }
  }

  void regex(String field, String regex) {
    if (regex == null) {
      return;
    }
    try {
      Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      error(field, "invalid regex '" + regex + "': " + e.getDescription() + " near index " + e.getIndex());
    }
  }

  void match(String field, StringMatch m) {
    if (m != null) {
      regex(field + ".regex", m.regex());
    }
  }

  void notEmpty(String field, String value, String what) {
    if (value != null && value.isBlank()) {
      error(field, what + " must not be empty");
    }
  }
}
