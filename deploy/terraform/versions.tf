terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
    tls = {
      source  = "hashicorp/tls"
      version = "~> 4.0"
    }
  }

  # State in S3 with locking; the bucket and table are created once by hand (docs/deploy.md) and
  # passed with `terraform init -backend-config=envs/<env>.backend.hcl`.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "highpipe"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}
