# HighPipe on AWS: the original architecture's account layout. Modules under modules/, one concern
# each; this file only wires them. No secret is in code: RDS and Redshift keep their master passwords
# in Secrets Manager themselves (manage_master_user_password), the app's secrets are created empty.

locals {
  name = "highpipe-${var.environment}"
}

module "network" {
  source      = "./modules/network"
  name        = local.name
  cidr        = var.vpc_cidr
  azs         = var.azs
  eks_cluster = local.name
}

module "security" {
  source   = "./modules/security"
  name     = local.name
  vpc_id   = module.network.vpc_id
  vpc_cidr = var.vpc_cidr
}

module "cloudwatch" {
  source         = "./modules/cloudwatch"
  name           = local.name
  retention_days = var.log_retention_days
}

module "eks" {
  source                    = "./modules/eks"
  name                      = local.name
  kubernetes_version        = var.kubernetes_version
  private_subnet_ids        = module.network.private_subnet_ids
  cluster_security_group_id = module.security.eks_cluster_security_group_id
  node_security_group_id    = module.security.eks_nodes_security_group_id
  node_groups               = var.node_groups
  depends_on                = [module.cloudwatch]
}

module "s3" {
  source = "./modules/s3"
  name   = local.name
}

module "ecr" {
  source       = "./modules/ecr"
  name         = local.name
  repositories = var.ecr_repositories
}

module "secrets" {
  source = "./modules/secrets"
  name   = local.name
  env    = var.environment
}

module "rds" {
  source                = "./modules/rds"
  name                  = local.name
  database_subnet_ids   = module.network.database_subnet_ids
  security_group_id     = module.security.rds_security_group_id
  instance_class        = var.db_instance_class
  allocated_storage     = var.db_allocated_storage
  deletion_protection   = var.environment == "prod"
  backup_retention_days = var.environment == "prod" ? 14 : 3
}

module "redshift" {
  source              = "./modules/redshift"
  name                = local.name
  database_subnet_ids = module.network.database_subnet_ids
  security_group_id   = module.security.redshift_security_group_id
  node_type           = var.redshift_node_type
  nodes               = var.redshift_nodes
  lake_bucket_arn     = module.s3.lake_bucket_arn
}

module "irsa" {
  source            = "./modules/irsa"
  name              = local.name
  oidc_provider_arn = module.eks.oidc_provider_arn
  oidc_issuer       = module.eks.oidc_issuer
  lake_bucket_arn   = module.s3.lake_bucket_arn
  app_secret_arns   = module.secrets.secret_arns
  cluster_name      = module.eks.cluster_name
}

# The EBS CSI driver needs its IRSA role, which needs the cluster's OIDC provider: it is wired here,
# after both modules, rather than inside modules/eks.
resource "aws_eks_addon" "ebs_csi" {
  cluster_name             = module.eks.cluster_name
  addon_name               = "aws-ebs-csi-driver"
  service_account_role_arn = module.irsa.role_arns["ebs-csi-controller"]
}
