package io.mizzen.kernel.config;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads a YAML stream through snakeyaml-engine's node API, so that every document and every field
 * keeps its line, into plain maps, lists and scalars.
 */
final class YamlDocuments {
  private static final int MAX_DEPTH = 64;

  /**
   * One document.
   *
   * @param index 0-based position in the stream
   * @param line 1-based line where it starts
   * @param value its content: a map, a list, a scalar, or {@code null} for an empty document
   * @param lines the line of each field path ({@code spec.http[0]})
   */
  record Document(int index, int line, Object value, Map<String, Integer> lines) {}

  /**
   * The documents of a stream: those read before a syntax error, then the error if any.
   *
   * @param documents the documents read
   * @param syntaxError the YAML error, with its line, or {@code null}
   * @param errorLine the 1-based line of the error, 0 when unknown
   * @param errorDocument the index of the document the error is in
   */
  record Stream(List<Document> documents, String syntaxError, int errorLine, int errorDocument) {}

  private final LoadSettings settings = LoadSettings.builder().setSchema(new CoreSchema())
      .setAllowDuplicateKeys(false).setLabel("yaml").build();

  Stream read(String text) {
    List<Document> docs = new ArrayList<>();
    try {
      for (Node node : new Compose(settings).composeAllFromString(text)) {
        Map<String, Integer> lines = new HashMap<>();
        List<String> problems = new ArrayList<>();
        Object value = convert(node, "", lines, problems, 0);
        if (!problems.isEmpty()) {
          return new Stream(docs, problems.get(0), lines.getOrDefault("#error", 0), docs.size());
        }
        docs.add(new Document(docs.size(), line(node), value, lines));
      }
      return new Stream(docs, null, 0, 0);
    } catch (MarkedYamlEngineException e) {
      int line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(0);
      String what = (e.getContext() == null ? "" : e.getContext() + ": ") + e.getProblem();
      return new Stream(docs, "YAML syntax error at line " + line + ": " + what, line, docs.size());
    } catch (YamlEngineException e) {
      return new Stream(docs, "YAML error: " + e.getMessage(), 0, docs.size());
    }
  }

  private Object convert(Node node, String path, Map<String, Integer> lines, List<String> problems, int depth) {
    if (depth > MAX_DEPTH) {
      // Only a recursive alias (&a [*a]) nests this deep; following it would never end.
      lines.put("#error", line(node));
      problems.add("YAML error at line " + line(node) + ": nesting deeper than " + MAX_DEPTH + " levels at '" + path
          + "' (a recursive alias?)");
      return null;
    }
    if (node instanceof MappingNode map) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (NodeTuple t : map.getValue()) {
        Object key = convert(t.getKeyNode(), path, new HashMap<>(), problems, depth + 1);
        String k = String.valueOf(key);
        String child = path.isEmpty() ? k : path + "." + k;
        if (out.containsKey(k)) {
          lines.put("#error", line(t.getKeyNode()));
          problems.add("YAML error at line " + line(t.getKeyNode()) + ": duplicate key '" + child + "'");
          continue;
        }
        lines.put(child, line(t.getKeyNode()));
        out.put(k, convert(t.getValueNode(), child, lines, problems, depth + 1));
      }
      // Specs travel in immutable snapshots: nobody downstream may change what was read.
      return java.util.Collections.unmodifiableMap(out);
    }
    if (node instanceof SequenceNode seq) {
      List<Object> out = new ArrayList<>(seq.getValue().size());
      for (Node item : seq.getValue()) {
        String child = path + "[" + out.size() + "]";
        lines.put(child, line(item));
        out.add(convert(item, child, lines, problems, depth + 1));
      }
      return java.util.Collections.unmodifiableList(out);
    }
    return scalar((ScalarNode) node);
  }

  /** Core-schema scalars, resolved from the tag the composer gave (plain scalars only get one). */
  private static Object scalar(ScalarNode node) {
    String v = node.getValue();
    Tag tag = node.getTag();
    if (tag.equals(Tag.NULL)) {
      return null;
    }
    if (tag.equals(Tag.BOOL)) {
      return v.equalsIgnoreCase("true");
    }
    if (tag.equals(Tag.INT)) {
      BigInteger n;
      String digits = v.startsWith("+") ? v.substring(1) : v;
      if (digits.startsWith("0x")) {
        n = new BigInteger(digits.substring(2), 16);
      } else if (digits.startsWith("0o")) {
        n = new BigInteger(digits.substring(2), 8);
      } else {
        n = new BigInteger(digits);
      }
      return n.bitLength() < 32 ? (Object) n.intValue() : n.bitLength() < 64 ? (Object) n.longValue() : n;
    }
    if (tag.equals(Tag.FLOAT)) {
      String f = v.startsWith("+") ? v.substring(1) : v;
      return switch (f.toLowerCase(java.util.Locale.ROOT)) {
        case ".inf" -> Double.POSITIVE_INFINITY;
        case "-.inf" -> Double.NEGATIVE_INFINITY;
        case ".nan" -> Double.NaN;
        default -> Double.parseDouble(f);
      };
    }
    return v;
  }

  private static int line(Node node) {
    return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
  }
}
