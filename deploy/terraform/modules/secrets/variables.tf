variable "name" {
  description = "Name prefix"
  type        = string
}

variable "env" {
  description = "Environment (dev, prod): the secrets are highpipe/<env>/app and highpipe/<env>/data"
  type        = string
}
