bucket         = "highpipe-terraform-state"
key            = "prod/terraform.tfstate"
region         = "ap-northeast-2"
dynamodb_table = "highpipe-terraform-locks"
encrypt        = true
