output "role_arns" {
  description = "Service account => role ARN (annotate eks.amazonaws.com/role-arn)"
  value       = { for k, r in aws_iam_role.this : k => r.arn }
}
