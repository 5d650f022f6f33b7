package io.mizzen.kernel.pilot;

import io.mizzen.spi.config.Resource;
import io.mizzen.spi.discovery.ServiceInstance;
import io.mizzen.spi.wire.pilot.CertificateInfo;
import java.util.List;

/**
 * What Pilot knows of its subscribers, published by {@link PilotFunction} for the control plane's
 * HTTP API ({@code /debug/syncz}, {@code proxy-status}, {@code proxy-config}). Safe to call from
 * any thread; answers reflect the moment of the call.
 */
public interface PushStatus {

  /** Every connected proxy, by id. */
  List<ProxyStatus> proxies();

  /**
   * What proxy {@code proxyId} holds (as it last acknowledged), or {@code null} if no proxy of
   * that id is connected.
   */
  Holdings holdings(String proxyId);

  /**
   * One proxy's acknowledged view.
   *
   * @param status its status
   * @param resources the resources it holds
   * @param instances the instances it holds
   * @param certificate the workload certificate it last reported serving, or {@code null} when it
   *     reported none (no workload identity: mTLS off, no Citadel)
   */
  record Holdings(ProxyStatus status, List<Resource> resources, List<ServiceInstance> instances,
      CertificateInfo certificate) {}
}
