variable "name" {
  description = "Name prefix"
  type        = string
}

variable "cidr" {
  description = "VPC CIDR (a /16)"
  type        = string
}

variable "azs" {
  description = "Availability zones, one subnet of each kind per zone"
  type        = list(string)
}

variable "eks_cluster" {
  description = "EKS cluster name, for the subnet discovery tags of the load balancer controller"
  type        = string
}
