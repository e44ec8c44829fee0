/**
 * What both reconcilers report: conditions set through {@link
 * io.dnsupdate.operator.status.Conditions}, Kubernetes Events through {@link
 * io.dnsupdate.operator.status.EventRecorder} with {@link
 * io.dnsupdate.operator.status.EventReason}s, messages made safe by {@link
 * io.dnsupdate.operator.status.SafeMessages}, and failed API calls of the operator's own ({@link
 * io.dnsupdate.operator.status.ApiFailure}) turned into conditions, Events and retries by {@link
 * io.dnsupdate.operator.status.ApiFailureReporter}.
 */
package io.dnsupdate.operator.status;
