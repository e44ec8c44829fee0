// WebhookBenchmark's caller outside the webhook's JVM (issue 11): the standard library only, so
// it builds offline and go.sum stays empty.
module dnsupdate.io/webhook/h2caller

go 1.24.0
