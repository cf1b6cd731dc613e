bucket         = "highpipe-terraform-state"
key            = "dev/terraform.tfstate"
region         = "ap-northeast-2"
dynamodb_table = "highpipe-terraform-locks"
encrypt        = true
