package io.mizzen.proxy.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link Http1ServerCodec} hands the exchange handler for pipelined requests. */
class Http1ServerCodecTest {

  @Test
  void aRequestWithoutABodyComesWholeAndOthersInParts() {
    String requests = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
        + "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
        + "DELETE /c HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
        + "GET /d HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n"
        + "GET /e HTTP/1.0\r\n\r\n";
    EmbeddedChannel ch = new EmbeddedChannel(new Http1ServerCodec(64 * 1024));
    ch.writeInbound(Unpooled.copiedBuffer(requests, StandardCharsets.ISO_8859_1));
    List<String> seen = new ArrayList<>();
    Object o;
    while ((o = ch.readInbound()) != null) {
      if (o instanceof FullHttpRequest full) {
        seen.add("whole " + full.method() + " " + full.uri() + " " + full.content().readableBytes() + " "
            + full.headers().get("host"));
      } else if (o instanceof HttpRequest head) {
        seen.add("head " + head.method() + " " + head.uri());
      } else if (o instanceof HttpContent content) {
        seen.add((o instanceof LastHttpContent ? "end " : "part ") + content.content().toString(StandardCharsets.ISO_8859_1));
      }
      ReferenceCountUtil.release(o);
    }
    ch.finishAndReleaseAll();
    assertEquals(List.of("whole GET /a 0 x", "head POST /b", "end hi", "whole DELETE /c 0 x",
        "head GET /d", "end ", "whole GET /e 0 null"), seen);
  }
}
