environment = "prod"
vpc_cidr    = "10.30.0.0/16"

db_instance_class    = "db.r6g.large"
db_allocated_storage = 200
redshift_nodes       = 2
log_retention_days   = 90
