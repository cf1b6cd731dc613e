# The secrets the External Secrets Operator copies into the cluster. Created empty: an operator puts
# the values in once (docs/deploy.md), so they never pass through code or Terraform state.
#   <name>/app   HIGHPIPE_DATABASE_URL, HIGHPIPE_CACHE_URL, HIGHPIPE_API_TOKEN, HIGHPIPE_AUTHOR_SALT,
#                HIGHPIPE_LLM_API_KEY
#   <name>/data  pgbouncer_userlist, redis_password

resource "aws_kms_key" "secrets" {
  description         = "${var.name} application secrets"
  enable_key_rotation = true
}

resource "aws_secretsmanager_secret" "this" {
  for_each                = toset(["app", "data"])
  name                    = "highpipe/${var.env}/${each.key}"
  description             = "HighPipe ${var.env} ${each.key} secrets (JSON)"
  kms_key_id              = aws_kms_key.secrets.arn
  recovery_window_in_days = 7
}
