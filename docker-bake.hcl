# Every HighPipe image, built with `docker buildx bake` (all) or `docker buildx bake python`.
#   REGISTRY=123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/highpipe-prod TAG=0.1.0 \
#     docker buildx bake --push
# The repositories are Terraform's (deploy/terraform/modules/ecr); tags are immutable there.

variable "REGISTRY" {
  default = "highpipe"
}

variable "TAG" {
  default = "dev"
}

variable "PLATFORMS" {
  default = "linux/amd64"
}

group "default" {
  targets = ["python", "web", "airflow"]
}

target "_common" {
  platforms = split(",", PLATFORMS)
  labels = {
    "org.opencontainers.image.source"  = "highpipe"
    "org.opencontainers.image.version" = TAG
  }
}

target "python" {
  inherits   = ["_common"]
  context    = "."
  dockerfile = "deploy/docker/python.Dockerfile"
  tags       = ["${REGISTRY}/highpipe:${TAG}"]
}

target "web" {
  inherits   = ["_common"]
  context    = "web"
  dockerfile = "Dockerfile"
  tags       = ["${REGISTRY}/highpipe-web:${TAG}"]
}

target "airflow" {
  inherits   = ["_common"]
  context    = "."
  dockerfile = "deploy/docker/airflow.Dockerfile"
  tags       = ["${REGISTRY}/highpipe-airflow:${TAG}"]
}
