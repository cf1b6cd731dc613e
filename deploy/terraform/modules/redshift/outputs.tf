output "endpoint" {
  description = "host:port"
  value       = aws_redshift_cluster.this.endpoint
}
