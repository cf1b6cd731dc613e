variable "name" {
  description = "Name prefix (also the EKS cluster and RDS instance name)"
  type        = string
}

variable "retention_days" {
  description = "Log retention in days"
  type        = number
}
