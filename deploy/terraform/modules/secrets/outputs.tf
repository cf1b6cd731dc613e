output "secret_arns" {
  description = "ARNs the External Secrets Operator may read"
  value       = [for s in aws_secretsmanager_secret.this : s.arn]
}

output "secret_names" {
  description = "Secret names (Helm values externalSecrets.appSecret / dataSecret)"
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.name }
}

output "kms_key_arn" {
  description = "KMS key of the secrets"
  value       = aws_kms_key.secrets.arn
}
