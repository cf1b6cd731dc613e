variable "name" {
  description = "Cluster name"
  type        = string
}

variable "kubernetes_version" {
  description = "EKS version"
  type        = string
}

variable "private_subnet_ids" {
  description = "Subnets for the control plane ENIs and the nodes"
  type        = list(string)
}

variable "cluster_security_group_id" {
  description = "Control plane security group"
  type        = string
}

variable "node_security_group_id" {
  description = "Node security group"
  type        = string
}

variable "node_groups" {
  description = "Node groups by name (general, gpu, memory, spot)"
  type = map(object({
    instance_types = list(string)
    capacity_type  = string
    min_size       = number
    max_size       = number
    desired_size   = number
    disk_size      = number
    gpu            = bool
  }))
}
