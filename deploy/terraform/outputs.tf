output "cluster_name" {
  description = "EKS cluster (aws eks update-kubeconfig --name ...)"
  value       = module.eks.cluster_name
}

output "ecr_repository_urls" {
  description = "Push targets for docker buildx bake (REGISTRY)"
  value       = module.ecr.repository_urls
}

output "rds_endpoint" {
  description = "PostgreSQL endpoint for PgBouncer (pgbouncer.databaseHost)"
  value       = module.rds.endpoint
}

output "rds_master_secret_arn" {
  description = "Secrets Manager secret RDS keeps the master password in"
  value       = module.rds.master_user_secret_arn
}

output "redshift_endpoint" {
  description = "Redshift endpoint for the warehouse (HIGHPIPE_WAREHOUSE_URL)"
  value       = module.redshift.endpoint
}

output "lake_bucket" {
  description = "S3 data lake bucket (HIGHPIPE_LAKE_URL=s3://<bucket>/lake)"
  value       = module.s3.lake_bucket
}

output "alb_source_cidrs" {
  description = "Public subnet CIDRs the ALB sends from (networkPolicies.albSourceCidrs)"
  value       = module.network.public_subnet_cidrs
}

output "irsa_role_arns" {
  description = "Roles for serviceAccounts.app/pipeline and the cluster add-ons"
  value       = module.irsa.role_arns
}

output "secret_names" {
  description = "Secrets Manager secrets to fill (externalSecrets.appSecret / dataSecret)"
  value       = module.secrets.secret_names
}
