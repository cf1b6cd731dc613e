variable "name" {
  description = "Instance identifier"
  type        = string
}

variable "database_subnet_ids" {
  description = "Database subnets in two AZs"
  type        = list(string)
}

variable "security_group_id" {
  description = "RDS security group (5432 from EKS only)"
  type        = string
}

variable "instance_class" {
  description = "Instance class"
  type        = string
}

variable "allocated_storage" {
  description = "Initial storage in GiB"
  type        = number
}

variable "deletion_protection" {
  description = "Protect the instance (prod) and keep a final snapshot"
  type        = bool
}

variable "backup_retention_days" {
  description = "Automated backup retention"
  type        = number
}
