package io.mizzen.kernel.inject;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.DocumentEndEvent;
import org.snakeyaml.engine.v2.events.DocumentStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * A multi-document YAML stream cut into its documents, each with its exact source text, so that
 * documents the injector leaves alone are written back byte for byte (comments included) and
 * only rewritten documents are re-serialized.
 */
final class ManifestStream {

  /**
   * One document of the stream.
   *
   * @param index   0-based position in the stream
   * @param line    1-based line where its content starts (for messages)
   * @param prefix  text before the document's content: its {@code ---}, comments, blank lines
   * @param raw     the document's whole source text, prefix included
   * @param content the parsed document (maps, lists, scalars), null for an empty document
   */
  record Document(int index, int line, String prefix, String raw, Object content) {}

  private final List<Document> documents;
  private final String trailer;

  private ManifestStream(List<Document> documents, String trailer) {
    this.documents = documents;
    this.trailer = trailer;
  }

  List<Document> documents() {
    return documents;
  }

  /** Parses {@code text}; a syntax error is reported with the source name and line. */
  static ManifestStream read(String text, String source) {
    List<Document> docs = new ArrayList<>();
    CodePoints cp = new CodePoints(text);
    Iterator<Object> contents;
    int end = 0;
    try {
      contents = KubeYaml.loader(source).loadAllFromString(text).iterator();
      int start = 0;
      int line = 1;
      boolean awaitingContent = false;
      for (Event event : new Parse(KubeYaml.loadSettings(source)).parseString(text)) {
        if (awaitingContent && !(event instanceof DocumentEndEvent)) {
          // The document's text starts at its first content token: what comes before it (the
          // previous document's tail, '---', comments) is kept as the prefix, and messages
          // point at this line.
          Mark mark = event.getStartMark().orElseThrow();
          start = cp.charIndex(mark.getIndex());
          line = mark.getLine() + 1;
          awaitingContent = false;
        }
        if (event instanceof DocumentStartEvent ds) {
          awaitingContent = true;
          Mark mark = ds.getStartMark().orElseThrow();
          start = cp.charIndex(mark.getIndex());
          line = mark.getLine() + 1;
        } else if (event instanceof DocumentEndEvent de) {
          int docEnd = cp.charIndex(de.getEndMark().orElseThrow().getIndex());
          Object content = contents.next();
          docs.add(new Document(docs.size(), line, text.substring(end, Math.max(end, start)),
              text.substring(end, docEnd), content));
          end = docEnd;
        }
      }
    } catch (YamlEngineException e) {
      throw new InjectionException(source + ": not valid YAML: " + e.getMessage(), e);
    }
    return new ManifestStream(List.copyOf(docs), text.substring(end));
  }

  /**
   * Writes the stream back: each document the {@code rewrite} function returns a new content for
   * is dumped in place of its source text, every other document is copied unchanged.
   */
  String write(Function<Document, Optional<Object>> rewrite) {
    StringBuilder out = new StringBuilder();
    for (Document doc : documents) {
      Optional<Object> changed = rewrite.apply(doc);
      if (changed.isEmpty()) {
        out.append(doc.raw());
        continue;
      }
      out.append(doc.prefix());
      if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
        out.append('\n');
      }
      out.append(KubeYaml.dumper().dumpToString(changed.get()));
    }
    out.append(trailer);
    return out.toString();
  }

  /** snakeyaml marks count code points; String indexes count chars. */
  private static final class CodePoints {
    private final String text;
    private final boolean bmpOnly;

    CodePoints(String text) {
      this.text = text;
      this.bmpOnly = text.codePointCount(0, text.length()) == text.length();
    }

    int charIndex(int codePointIndex) {
      int cp = Math.min(codePointIndex, text.codePointCount(0, text.length()));
      return bmpOnly ? cp : text.offsetByCodePoints(0, cp);
    }
  }
}
