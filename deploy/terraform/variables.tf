variable "environment" {
  description = "dev or prod; part of every name"
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod."
  }
}

variable "region" {
  description = "AWS region (Seoul by default: the users are in Korea)"
  type        = string
  default     = "ap-northeast-2"
}

variable "azs" {
  description = "The two availability zones"
  type        = list(string)
  default     = ["ap-northeast-2a", "ap-northeast-2c"]

  validation {
    condition     = length(var.azs) == 2
    error_message = "HighPipe's network spans exactly two availability zones."
  }
}

variable "vpc_cidr" {
  description = "VPC CIDR; subnets are carved from it (public /24, private /20, database /24 per AZ)"
  type        = string
  default     = "10.20.0.0/16"
}

variable "kubernetes_version" {
  description = "EKS control plane version"
  type        = string
  default     = "1.33"
}

variable "node_groups" {
  description = "The four node groups of the original: general (m5), gpu (g4dn), memory (r5), spot (m5/c5)"
  type = map(object({
    instance_types = list(string)
    capacity_type  = string
    min_size       = number
    max_size       = number
    desired_size   = number
    disk_size      = number
    gpu            = bool
  }))
  default = {
    general = { instance_types = ["m5.xlarge"], capacity_type = "ON_DEMAND", min_size = 2, max_size = 10, desired_size = 3, disk_size = 50, gpu = false }
    gpu     = { instance_types = ["g4dn.xlarge"], capacity_type = "ON_DEMAND", min_size = 0, max_size = 2, desired_size = 0, disk_size = 100, gpu = true }
    memory  = { instance_types = ["r5.xlarge"], capacity_type = "ON_DEMAND", min_size = 1, max_size = 6, desired_size = 2, disk_size = 50, gpu = false }
    spot    = { instance_types = ["m5.xlarge", "c5.xlarge", "m5a.xlarge", "c5a.xlarge"], capacity_type = "SPOT", min_size = 0, max_size = 10, desired_size = 2, disk_size = 50, gpu = false }
  }
}

variable "db_instance_class" {
  description = "RDS PostgreSQL instance class"
  type        = string
  default     = "db.r6g.large"
}

variable "db_allocated_storage" {
  description = "RDS storage in GiB (autoscaling up to 4x)"
  type        = number
  default     = 100
}

variable "redshift_node_type" {
  description = "Redshift node type"
  type        = string
  default     = "ra3.xlplus"
}

variable "redshift_nodes" {
  description = "Redshift node count"
  type        = number
  default     = 2
}

variable "log_retention_days" {
  description = "CloudWatch log retention"
  type        = number
  default     = 30
}

variable "ecr_repositories" {
  description = "Images built by docker-bake.hcl"
  type        = list(string)
  default     = ["highpipe", "highpipe-web", "highpipe-airflow"]
}
