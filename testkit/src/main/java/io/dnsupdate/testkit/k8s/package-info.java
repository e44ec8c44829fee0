/**
 * Kubernetes API fixtures: fabric8's mock API server in CRUD mode that also decides
 * SubjectAccessReviews ({@link io.dnsupdate.testkit.k8s.MockKubernetesApi}), and a client that
 * calls an aggregated API server as kube-apiserver's front proxy does ({@link
 * io.dnsupdate.testkit.k8s.FrontProxyClient}).
 */
package io.dnsupdate.testkit.k8s;
