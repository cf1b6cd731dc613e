variable "name" {
  description = "Cluster identifier"
  type        = string
}

variable "database_subnet_ids" {
  description = "Database subnets"
  type        = list(string)
}

variable "security_group_id" {
  description = "Redshift security group (5439 from EKS only)"
  type        = string
}

variable "node_type" {
  description = "Node type"
  type        = string
}

variable "nodes" {
  description = "Number of nodes"
  type        = number
}

variable "lake_bucket_arn" {
  description = "Lake bucket the cluster loads from"
  type        = string
}
