/**
 * The operator process around the reconcilers: options from flags and environment ({@link
 * io.dnsupdate.operator.runtime.OperatorOptions}), the JOSDK wiring ({@link
 * io.dnsupdate.operator.runtime.OperatorRuntime}), health and metrics over HTTP ({@link
 * io.dnsupdate.operator.runtime.HttpEndpoints}), log levels, and the handle of a running operator
 * ({@link io.dnsupdate.operator.runtime.RunningOperator}).
 */
package io.dnsupdate.operator.runtime;
