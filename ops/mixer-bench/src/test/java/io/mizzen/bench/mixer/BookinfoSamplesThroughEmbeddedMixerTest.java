package io.mizzen.bench.mixer;

/**
 * Every case of {@link BookinfoSamplesThroughProxiesTest} with Mixer embedded in the destination
 * sidecars ({@code plugins.settings.mixer.embedded}): the hook calls the engine in-process, behind
 * the same check cache, and builds its bags to what the config in force reads ({@code Mixer.attributesRead}:
 * the x-user denial sees a request.headers map holding that header alone, the telemetry samples
 * no header map at all).
 */
class BookinfoSamplesThroughEmbeddedMixerTest extends BookinfoSamplesThroughProxiesTest {
  @Override
  boolean embedded() {
    return true;
  }
}
