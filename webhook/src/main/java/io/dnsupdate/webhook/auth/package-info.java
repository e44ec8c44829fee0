/**
 * Who may call: kube-apiserver's front-proxy identity (request-header authentication against the CA
 * in ConfigMap kube-system/extension-apiserver-authentication, watched) and SubjectAccessReview
 * authorization with a short cache.
 */
package io.dnsupdate.webhook.auth;
