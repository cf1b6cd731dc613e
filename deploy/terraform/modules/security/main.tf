# The security groups of the original design:
#   ALB        80/443 from anywhere
#   EKS nodes  3000 (web) and 8000 (api, ws) from the ALB; 9092 (Kafka) and 6379 (Redis) among
#              themselves; everything among themselves for the cluster's own traffic (kubelet, DNS,
#              pod-to-pod), which EKS needs anyway
#   RDS        5432 from the EKS nodes only
#   Redshift   5439 from the EKS nodes only

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "HighPipe ALB: HTTP/HTTPS from anywhere"
  vpc_id      = var.vpc_id
  tags        = { Name = "${var.name}-alb" }
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTP (redirected to HTTPS)"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "alb_to_nodes" {
  for_each                     = toset(["3000", "8000"])
  security_group_id            = aws_security_group.alb.id
  description                  = "ALB to pods on ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = tonumber(each.key)
  to_port                      = tonumber(each.key)
  referenced_security_group_id = aws_security_group.eks_nodes.id
}

resource "aws_security_group" "eks_cluster" {
  name        = "${var.name}-eks-cluster"
  description = "EKS control plane"
  vpc_id      = var.vpc_id
  tags        = { Name = "${var.name}-eks-cluster" }
}

resource "aws_vpc_security_group_ingress_rule" "cluster_from_nodes" {
  security_group_id            = aws_security_group.eks_cluster.id
  description                  = "Kubernetes API from the nodes"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.eks_nodes.id
}

resource "aws_vpc_security_group_egress_rule" "cluster_to_nodes" {
  security_group_id            = aws_security_group.eks_cluster.id
  description                  = "Control plane to kubelets and webhooks"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 10250
  referenced_security_group_id = aws_security_group.eks_nodes.id
}

resource "aws_security_group" "eks_nodes" {
  name        = "${var.name}-eks-nodes"
  description = "EKS worker nodes"
  vpc_id      = var.vpc_id
  tags = {
    Name                     = "${var.name}-eks-nodes"
    "karpenter.sh/discovery" = var.name
  }
}

resource "aws_vpc_security_group_ingress_rule" "nodes_from_alb" {
  for_each                     = toset(["3000", "8000"])
  security_group_id            = aws_security_group.eks_nodes.id
  description                  = "ALB to web (3000) and api/ws (8000)"
  ip_protocol                  = "tcp"
  from_port                    = tonumber(each.key)
  to_port                      = tonumber(each.key)
  referenced_security_group_id = aws_security_group.alb.id
}

resource "aws_vpc_security_group_ingress_rule" "nodes_kafka_redis" {
  for_each                     = toset(["9092", "6379"])
  security_group_id            = aws_security_group.eks_nodes.id
  description                  = "Kafka (9092) and Redis (6379) between nodes"
  ip_protocol                  = "tcp"
  from_port                    = tonumber(each.key)
  to_port                      = tonumber(each.key)
  referenced_security_group_id = aws_security_group.eks_nodes.id
}

resource "aws_vpc_security_group_ingress_rule" "nodes_from_nodes" {
  security_group_id            = aws_security_group.eks_nodes.id
  description                  = "Pod-to-pod and node-to-node traffic (network policies narrow it)"
  ip_protocol                  = "-1"
  referenced_security_group_id = aws_security_group.eks_nodes.id
}

resource "aws_vpc_security_group_ingress_rule" "nodes_from_cluster" {
  security_group_id            = aws_security_group.eks_nodes.id
  description                  = "Control plane to kubelets and webhooks"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 10250
  referenced_security_group_id = aws_security_group.eks_cluster.id
}

resource "aws_vpc_security_group_egress_rule" "nodes_out" {
  security_group_id = aws_security_group.eks_nodes.id
  description       = "Nodes reach out through the NAT gateways (ECR, crawl targets, AWS APIs)"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_security_group" "rds" {
  name        = "${var.name}-rds"
  description = "RDS PostgreSQL: 5432 from EKS nodes only"
  vpc_id      = var.vpc_id
  tags        = { Name = "${var.name}-rds" }
}

resource "aws_vpc_security_group_ingress_rule" "rds_from_eks" {
  security_group_id            = aws_security_group.rds.id
  description                  = "PostgreSQL from EKS (PgBouncer)"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.eks_nodes.id
}

resource "aws_security_group" "redshift" {
  name        = "${var.name}-redshift"
  description = "Redshift: 5439 from EKS nodes only"
  vpc_id      = var.vpc_id
  tags        = { Name = "${var.name}-redshift" }
}

resource "aws_vpc_security_group_ingress_rule" "redshift_from_eks" {
  security_group_id            = aws_security_group.redshift.id
  description                  = "Redshift from EKS (warehouse loads, Airflow)"
  ip_protocol                  = "tcp"
  from_port                    = 5439
  to_port                      = 5439
  referenced_security_group_id = aws_security_group.eks_nodes.id
}
