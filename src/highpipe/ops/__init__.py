"""Operations tools that run beside the services: the predictive-scaling forecaster (`highpipe ops`)."""

from pathlib import Path
from typing import Final

# Where Kubernetes mounts a pod's service-account token, CA and namespace.
SERVICE_ACCOUNT_DIR: Final = Path("/var/run/secrets/kubernetes.io/serviceaccount")
