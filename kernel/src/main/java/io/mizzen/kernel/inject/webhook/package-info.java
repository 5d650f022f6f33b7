/**
 * Automatic injection: the mutating admission webhook. Kubernetes sends each new pod of a
 * labelled namespace as an AdmissionReview v1; the webhook answers with the JSONPatch that
 * {@link io.mizzen.kernel.inject.SidecarInjector} would apply.
 */
package io.mizzen.kernel.inject.webhook;
