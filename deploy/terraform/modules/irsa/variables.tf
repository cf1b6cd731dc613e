variable "name" {
  description = "Role name prefix"
  type        = string
}

variable "cluster_name" {
  description = "EKS cluster (the Cluster Autoscaler may only resize its node groups)"
  type        = string
}

variable "oidc_provider_arn" {
  description = "The cluster's IAM OIDC provider"
  type        = string
}

variable "oidc_issuer" {
  description = "OIDC issuer host/path (no scheme)"
  type        = string
}

variable "lake_bucket_arn" {
  description = "Lake bucket"
  type        = string
}

variable "app_secret_arns" {
  description = "Secrets the External Secrets Operator may read"
  type        = list(string)
}
