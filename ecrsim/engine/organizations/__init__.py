"""AWS Organizations: the organization, its units and accounts, and the policies above IAM."""
