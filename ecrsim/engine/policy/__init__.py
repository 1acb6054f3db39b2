"""IAM policy documents and AWS's evaluation logic, with a trace for every decision."""
