output "log_groups" {
  description = "Log group names"
  value       = concat([aws_cloudwatch_log_group.eks.name], [for g in aws_cloudwatch_log_group.app : g.name])
}
