{{- define "onexit.name" -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "onexit.coordinator" -}}{{ include "onexit.name" . }}-coordinator{{- end -}}
{{- define "onexit.webhook" -}}{{ include "onexit.name" . }}-webhook{{- end -}}
{{- define "onexit.certs" -}}{{ include "onexit.name" . }}-certs{{- end -}}

{{- define "onexit.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "onexit.labels" -}}
app.kubernetes.io/name: onexit
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "onexit.selector" -}}
app.kubernetes.io/name: onexit
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "onexit.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "onexit.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}

{{- define "onexit.scrapeAnnotations" -}}
{{- if .Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: "9090"
prometheus.io/path: /metrics
{{- end }}
{{- end -}}

{{- /* The serving certificate of one component, as tls.crt/tls.key/ca.crt whatever the provider. */ -}}
{{- define "onexit.certVolume" -}}
- name: certs
  secret:
    secretName: {{ include "onexit.certs" .root }}
    {{- if eq .root.Values.certificates.provider "chart" }}
    items:
      - { key: {{ .component }}.crt, path: tls.crt }
      - { key: {{ .component }}.key, path: tls.key }
      - { key: ca.crt, path: ca.crt }
    {{- end }}
{{- end -}}
