# Log groups with retention: EKS control plane logs (the name EKS writes to, created first so the
# retention applies) and the containers' JSON logs shipped by Fluent Bit (aws-for-fluent-bit).

resource "aws_cloudwatch_log_group" "eks" {
  name              = "/aws/eks/${var.name}/cluster"
  retention_in_days = var.retention_days
}

resource "aws_cloudwatch_log_group" "app" {
  for_each          = toset(["web", "app", "pipeline", "data"])
  name              = "/highpipe/${var.name}/${each.key}"
  retention_in_days = var.retention_days
}

resource "aws_cloudwatch_metric_alarm" "rds_cpu" {
  alarm_name          = "${var.name}-rds-cpu"
  alarm_description   = "RDS CPU above 80 % for 15 minutes"
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = { DBInstanceIdentifier = var.name }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
}
