variable "name" {
  description = "Bucket name prefix (the bucket is <name>-lake)"
  type        = string
}

variable "raw_retention_days" {
  description = "Days before raw crawled data is deleted (PIPA: keep personal data no longer than needed)"
  type        = number
  default     = 365
}
