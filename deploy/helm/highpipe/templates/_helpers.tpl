{{/* Shared snippets. Every object is named highpipe-<component> (the alert rules rely on it). */}}

{{- define "highpipe.labels" -}}
app.kubernetes.io/name: highpipe
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/component: {{ .component }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
highpipe.io/environment: {{ .root.Values.environment }}
{{- end }}

{{- define "highpipe.selector" -}}
app.kubernetes.io/name: highpipe
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* The namespace of a tier: (include "highpipe.ns" (list $ "app")). */}}
{{- define "highpipe.ns" -}}
{{- $root := index . 0 -}}
{{- index $root.Values.namespaces (index . 1) -}}
{{- end }}

{{- define "highpipe.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .runAsUser }}
runAsGroup: {{ .runAsGroup | default .runAsUser }}
fsGroup: {{ .fsGroup | default .runAsUser }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Non-root, no privilege escalation, no capabilities, read-only root (writable /tmp is mounted). */}}
{{- define "highpipe.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end }}

{{/* Liveness on /healthz (the process answers), readiness on /readyz (its dependencies answer).
The argument is the readiness path: the static web server has no dependencies and only /healthz. */}}
{{- define "highpipe.httpProbes" -}}
startupProbe:
  httpGet: {path: /healthz, port: http}
  periodSeconds: 5
  failureThreshold: 30
livenessProbe:
  httpGet: {path: /healthz, port: http}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet: {path: {{ . }}, port: http}
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 2
{{- end }}

{{- define "highpipe.image" -}}
{{ printf "%s:%s" .repository .tag | quote }}
{{- end }}

{{- define "highpipe.kafkaBootstrap" -}}
{{- if .Values.kafka.enabled -}}
{{ printf "%s-kafka-bootstrap.%s.svc:9092" .Values.kafka.name .Values.namespaces.data }}
{{- else -}}
{{ .Values.kafkaBootstrap }}
{{- end -}}
{{- end }}

{{/* In-cluster URL of a HighPipe Service: (include "highpipe.serviceUrl" (list $ "api")). */}}
{{- define "highpipe.serviceUrl" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $c := index $root.Values.components $name -}}
{{ printf "http://highpipe-%s.%s.svc:%v" $name (include "highpipe.ns" (list $root $c.namespace)) $c.port }}
{{- end }}

{{- define "highpipe.llmUrl" -}}
{{- if .Values.vllm.enabled -}}
{{ printf "openai+http://highpipe-vllm.%s.svc:%v/v1?model=%s&json_mode=json_schema&timeout=60" .Values.namespaces.pipeline .Values.vllm.port .Values.vllm.servedModelName }}
{{- end -}}
{{- end }}
