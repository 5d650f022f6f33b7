package io.mizzen.samples.headerstamp;

import io.mizzen.spi.ConfigError;
import io.mizzen.spi.filter.HttpFilter;
import io.mizzen.spi.filter.LocalReply;
import io.mizzen.spi.filter.RequestView;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.pf4j.Extension;

/**
 * Stamps {@code header: value} on every request. Config:
 *
 * <pre>
 * header: x-stamped-by   # required, an HTTP token
 * value: mizzen-sample   # required, no line breaks
 * </pre>
 */
@Extension
public class HeaderStampFilter implements HttpFilter {
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  @Override
  public String name() {
    return "header-stamp";
  }

  @Override
  public List<ConfigError> validate(Map<String, Object> config) {
    List<ConfigError> errors = new ArrayList<>();
    Object header = config.get("header");
    if (!(header instanceof String h) || h.isEmpty()) {
      errors.add(new ConfigError("header", "required: the name of the header to set"));
    } else if (!TOKEN.matcher(h).matches()) {
      errors.add(new ConfigError("header", "'" + h + "' is not a valid HTTP header name"));
    }
    Object value = config.get("value");
    if (!(value instanceof String v)) {
      errors.add(new ConfigError("value", "required: the header's value, as a string"));
    } else if (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
      errors.add(new ConfigError("value", "must not contain line breaks"));
    }
    for (String key : config.keySet()) {
      if (!key.equals("header") && !key.equals("value")) {
        errors.add(new ConfigError(key, "unknown field (expected header, value)"));
      }
    }
    return errors;
  }

  @Override
  public Instance create(Map<String, Object> config) {
    String header = (String) config.get("header");
    String value = (String) config.get("value");
    Future<LocalReply> proceed = Future.succeededFuture();
    return (RequestView request) -> {
      request.setHeader(header, value);
      return proceed;
    };
  }
}
