"""Amazon VPC as far as ECR's callers meet it: VPCs, subnets, route tables, gateways, security groups and
VPC endpoints (`model.py`), their EC2 API operations (`api.py`), and the path a request from a subnet takes
to ECR's API, its registry and the S3 bucket that holds the layers (`reach.py`)."""
