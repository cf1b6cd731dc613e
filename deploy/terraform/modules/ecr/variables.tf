variable "name" {
  description = "Repository prefix"
  type        = string
}

variable "repositories" {
  description = "Image names"
  type        = list(string)
}
