/**
 * What both reconcilers report: conditions set through {@link
 * io.dnsupdate.operator.status.Conditions}, Kubernetes Events through {@link
 * io.dnsupdate.operator.status.EventRecorder} with {@link
 * io.dnsupdate.operator.status.EventReason}s, and messages made safe by {@link
 * io.dnsupdate.operator.status.SafeMessages}.
 */
package io.dnsupdate.operator.status;
