environment = "dev"
vpc_cidr    = "10.20.0.0/16"

node_groups = {
  general = { instance_types = ["m5.large"], capacity_type = "ON_DEMAND", min_size = 1, max_size = 3, desired_size = 2, disk_size = 50, gpu = false }
  gpu     = { instance_types = ["g4dn.xlarge"], capacity_type = "ON_DEMAND", min_size = 0, max_size = 1, desired_size = 0, disk_size = 100, gpu = true }
  memory  = { instance_types = ["r5.large"], capacity_type = "ON_DEMAND", min_size = 1, max_size = 2, desired_size = 1, disk_size = 50, gpu = false }
  spot    = { instance_types = ["m5.large", "c5.large"], capacity_type = "SPOT", min_size = 0, max_size = 4, desired_size = 1, disk_size = 50, gpu = false }
}

db_instance_class    = "db.t4g.medium"
db_allocated_storage = 20
redshift_node_type   = "ra3.xlplus"
redshift_nodes       = 1
log_retention_days   = 7
