/**
 * The TsigKey reconciler: {@link io.dnsupdate.config.KeySettings} (in core, shared with the
 * webhook) validates the spec, {@link io.dnsupdate.operator.tsigkey.DesiredKeySecret} decides
 * (without I/O) whether the key is kept, generated, recreated, rotated or imported, {@link
 * io.dnsupdate.operator.tsigkey.DesiredNameserverConfig} renders what the nameserver needs, and
 * {@link io.dnsupdate.operator.tsigkey.TsigKeyReconciler} reads, writes and reports.
 */
package io.dnsupdate.operator.tsigkey;
