{{/*
Names, labels and shared fragments. Every object takes its labels from "dnsupdate-operator.labels"
so that `kubectl get all -l app.kubernetes.io/instance=<release>` finds it.
*/}}

{{/* The solver API served by the webhook; fixed by the webhook's code (CONTRACTS.md). */}}
{{- define "dnsupdate-operator.solverGroup" -}}acme.dnsupdate.io{{- end }}
{{- define "dnsupdate-operator.solverVersion" -}}v1alpha1{{- end }}
{{- define "dnsupdate-operator.solverResource" -}}dnsupdate{{- end }}
{{/* The custom resources' API group. */}}
{{- define "dnsupdate-operator.crdGroup" -}}dnsupdate.io{{- end }}

{{- define "dnsupdate-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Base name of every object: "<release>-<chart>", or the release name when it already contains
the chart name. Truncated to leave room for the longest suffix ("-webhook-selfsign").
*/}}
{{- define "dnsupdate-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 46 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 46 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 46 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "dnsupdate-operator.operator.fullname" -}}
{{- include "dnsupdate-operator.fullname" . }}
{{- end }}

{{- define "dnsupdate-operator.webhook.fullname" -}}
{{- printf "%s-webhook" (include "dnsupdate-operator.fullname" .) }}
{{- end }}

{{- define "dnsupdate-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels of one component. Call with (dict "ctx" $ "component" "operator").
*/}}
{{- define "dnsupdate-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dnsupdate-operator.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Labels of every object of one component. Call with (dict "ctx" $ "component" "operator").
*/}}
{{- define "dnsupdate-operator.labels" -}}
helm.sh/chart: {{ include "dnsupdate-operator.chart" .ctx }}
{{ include "dnsupdate-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: dnsupdate-operator
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "dnsupdate-operator.operator.serviceAccountName" -}}
{{- if .Values.operator.serviceAccount.create }}
{{- default (include "dnsupdate-operator.operator.fullname" .) .Values.operator.serviceAccount.name }}
{{- else }}
{{- required "operator.serviceAccount.name is required when operator.serviceAccount.create is false" .Values.operator.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "dnsupdate-operator.webhook.serviceAccountName" -}}
{{- if .Values.webhook.serviceAccount.create }}
{{- default (include "dnsupdate-operator.webhook.fullname" .) .Values.webhook.serviceAccount.name }}
{{- else }}
{{- required "webhook.serviceAccount.name is required when webhook.serviceAccount.create is false" .Values.webhook.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* cert-manager objects of the webhook's serving certificate. */}}
{{- define "dnsupdate-operator.webhook.selfSignedIssuer" -}}
{{- printf "%s-selfsign" (include "dnsupdate-operator.webhook.fullname" .) }}
{{- end }}
{{- define "dnsupdate-operator.webhook.caCertificate" -}}
{{- printf "%s-ca" (include "dnsupdate-operator.webhook.fullname" .) }}
{{- end }}
{{- define "dnsupdate-operator.webhook.caIssuer" -}}
{{- printf "%s-ca" (include "dnsupdate-operator.webhook.fullname" .) }}
{{- end }}
{{- define "dnsupdate-operator.webhook.servingCertificate" -}}
{{- printf "%s-tls" (include "dnsupdate-operator.webhook.fullname" .) }}
{{- end }}

{{/* Image reference of one component. Call with (dict "ctx" $ "image" .Values.operator.image). */}}
{{- define "dnsupdate-operator.image" -}}
{{- printf "%s:%s" .image.repository (default .ctx.Chart.AppVersion .image.tag) }}
{{- end }}

{{/* The scratch directory both JVMs need with a read-only root filesystem. */}}
{{- define "dnsupdate-operator.tmpVolume" -}}
{{- /* in memory: a Kerberos issuer's keytab is written here for the moment of a login and must
     never reach the node's disk; what else lands here is a few KiB (JVM perf data, krb5.conf) */ -}}
- name: tmp
  emptyDir:
    medium: Memory
    sizeLimit: 16Mi
{{- end }}
{{- define "dnsupdate-operator.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}
