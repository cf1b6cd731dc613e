output "alb_security_group_id" {
  description = "For the AWS Load Balancer Controller (alb.ingress.kubernetes.io/security-groups)"
  value       = aws_security_group.alb.id
}

output "eks_cluster_security_group_id" {
  description = "EKS control plane security group"
  value       = aws_security_group.eks_cluster.id
}

output "eks_nodes_security_group_id" {
  description = "EKS nodes security group"
  value       = aws_security_group.eks_nodes.id
}

output "rds_security_group_id" {
  description = "RDS security group"
  value       = aws_security_group.rds.id
}

output "redshift_security_group_id" {
  description = "Redshift security group"
  value       = aws_security_group.redshift.id
}
