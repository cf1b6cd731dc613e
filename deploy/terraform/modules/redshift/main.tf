# Redshift warehouse in the database subnets, reachable from EKS only; loads from the lake with its
# own IAM role (COPY from S3). Admin password managed by Redshift in Secrets Manager.

resource "aws_redshift_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.database_subnet_ids
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["redshift.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "lake_read" {
  statement {
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [var.lake_bucket_arn, "${var.lake_bucket_arn}/*"]
  }
}

resource "aws_iam_role" "this" {
  name               = "${var.name}-redshift"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "lake_read" {
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.lake_read.json
}

resource "aws_redshift_cluster" "this" {
  cluster_identifier                  = var.name
  database_name                       = "highpipe"
  master_username                     = "highpipe_admin"
  manage_master_password              = true
  node_type                           = var.node_type
  cluster_type                        = var.nodes > 1 ? "multi-node" : "single-node"
  number_of_nodes                     = var.nodes
  cluster_subnet_group_name           = aws_redshift_subnet_group.this.name
  vpc_security_group_ids              = [var.security_group_id]
  publicly_accessible                 = false
  encrypted                           = true
  iam_roles                           = [aws_iam_role.this.arn]
  automated_snapshot_retention_period = 7
  skip_final_snapshot                 = true
}
