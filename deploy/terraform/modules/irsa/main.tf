# IAM roles for Kubernetes service accounts (IRSA): each role trusts exactly one service account of
# the cluster's OIDC provider.
#   app, pipeline              HighPipe pods: read/write the lake (uploads, raw and curated data)
#   external-secrets           read the HighPipe secrets in Secrets Manager
#   cluster-autoscaler         resize the node groups it discovers by tag
#   aws-load-balancer-controller  manage the ALB of the Ingresses
#   ebs-csi-controller         volumes for Kafka and Redis

locals {
  accounts = {
    app                          = { namespace = "app", service_account = "highpipe-app" }
    pipeline                     = { namespace = "pipeline", service_account = "highpipe-pipeline" }
    external-secrets             = { namespace = "external-secrets", service_account = "external-secrets" }
    cluster-autoscaler           = { namespace = "kube-system", service_account = "cluster-autoscaler" }
    aws-load-balancer-controller = { namespace = "kube-system", service_account = "aws-load-balancer-controller" }
    ebs-csi-controller           = { namespace = "kube-system", service_account = "ebs-csi-controller-sa" }
  }
}

data "aws_iam_policy_document" "assume" {
  for_each = local.accounts
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${each.value.namespace}:${each.value.service_account}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each           = local.accounts
  name               = "${var.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.assume[each.key].json
}

data "aws_iam_policy_document" "lake" {
  statement {
    actions   = ["s3:ListBucket"]
    resources = [var.lake_bucket_arn]
  }
  statement {
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.lake_bucket_arn}/*"]
  }
}

resource "aws_iam_role_policy" "lake" {
  for_each = toset(["app", "pipeline"])
  role     = aws_iam_role.this[each.key].id
  policy   = data.aws_iam_policy_document.lake.json
}

data "aws_iam_policy_document" "secrets" {
  statement {
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = var.app_secret_arns
  }
  statement {
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
}

data "aws_region" "current" {}

resource "aws_iam_role_policy" "secrets" {
  role   = aws_iam_role.this["external-secrets"].id
  policy = data.aws_iam_policy_document.secrets.json
}

data "aws_iam_policy_document" "autoscaler" {
  statement {
    actions = [
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeAutoScalingInstances",
      "autoscaling:DescribeLaunchConfigurations",
      "autoscaling:DescribeScalingActivities",
      "autoscaling:DescribeTags",
      "ec2:DescribeImages",
      "ec2:DescribeInstanceTypes",
      "ec2:DescribeLaunchTemplateVersions",
      "ec2:GetInstanceTypesFromInstanceRequirements",
      "eks:DescribeNodegroup",
    ]
    resources = ["*"]
  }
  # Only groups of this cluster may be resized.
  statement {
    actions   = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/k8s.io/cluster-autoscaler/${var.cluster_name}"
      values   = ["owned"]
    }
  }
}

resource "aws_iam_role_policy" "autoscaler" {
  role   = aws_iam_role.this["cluster-autoscaler"].id
  policy = data.aws_iam_policy_document.autoscaler.json
}

# A starting point for the controller's permissions; compare with the policy its release documents
# before production use.
data "aws_iam_policy_document" "alb" {
  statement {
    actions = [
      "elasticloadbalancing:*",
      "ec2:Describe*",
      "ec2:CreateSecurityGroup",
      "ec2:CreateTags",
      "ec2:DeleteSecurityGroup",
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:RevokeSecurityGroupIngress",
      "acm:DescribeCertificate",
      "acm:ListCertificates",
      "iam:CreateServiceLinkedRole",
      "wafv2:GetWebACLForResource",
      "shield:GetSubscriptionState",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "alb" {
  role   = aws_iam_role.this["aws-load-balancer-controller"].id
  policy = data.aws_iam_policy_document.alb.json
}

resource "aws_iam_role_policy_attachment" "ebs" {
  role       = aws_iam_role.this["ebs-csi-controller"].name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
}
