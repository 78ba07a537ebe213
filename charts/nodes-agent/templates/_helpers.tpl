{{- define "nodes-agent.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "nodes-agent.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "nodes-agent.labels" -}}
app.kubernetes.io/name: {{ include "nodes-agent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "nodes-agent.selectorLabels" -}}
app.kubernetes.io/name: {{ include "nodes-agent.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: {{ .Values.mode }}
{{- end -}}

{{- define "nodes-agent.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "nodes-agent.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Flags both modes share: how a notice is answered, logs, metrics. */}}
{{- define "nodes-agent.responseArgs" -}}
- --on-rebalance={{ .Values.response.onRebalance }}
- --drain-timeout={{ .Values.response.drainTimeout }}
- --deadline-margin={{ .Values.response.deadlineMargin }}
- --retry-interval={{ .Values.response.retryInterval }}
- --taint-effect={{ .Values.response.taintEffect }}
{{- if not .Values.response.deleteEmptyDirData }}
- --no-delete-emptydir-data
{{- end }}
{{- if not .Values.response.force }}
- --no-force
{{- end }}
{{- if .Values.webhook.template }}
- --webhook-template={{ .Values.webhook.template }}
{{- end }}
- --metrics-address=:{{ .Values.metrics.port }}
- --log-format={{ .Values.logFormat }}
- --log-level={{ .Values.logLevel }}
{{- end -}}

{{- define "nodes-agent.webhookEnv" -}}
{{- if .Values.webhook.existingSecret }}
- name: WEBHOOK_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.webhook.existingSecret }}
      key: {{ .Values.webhook.existingSecretKey }}
{{- else if .Values.webhook.url }}
- name: WEBHOOK_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "nodes-agent.fullname" . }}-webhook
      key: url
{{- end }}
{{- end -}}

{{- define "nodes-agent.container" -}}
image: "{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}"
imagePullPolicy: {{ .Values.image.pullPolicy }}
ports:
  - name: metrics
    containerPort: {{ .Values.metrics.port }}
    protocol: TCP
livenessProbe:
  httpGet:
    path: /healthz
    port: metrics
  initialDelaySeconds: 10
  periodSeconds: 20
  failureThreshold: 3
resources:
  {{- toYaml .Values.resources | nindent 2 }}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  runAsNonRoot: true
  runAsUser: 10001
  capabilities:
    drop: [ALL]
{{- end -}}
