output "lake_bucket" {
  description = "Lake bucket name"
  value       = aws_s3_bucket.lake.bucket
}

output "lake_bucket_arn" {
  description = "Lake bucket ARN"
  value       = aws_s3_bucket.lake.arn
}
