output "endpoint" {
  description = "host name of the primary"
  value       = aws_db_instance.this.address
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret with the master credentials (managed by RDS)"
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}
