"""Amazon ECS on Fargate, as far as a task pulls its images from ECR: clusters, task definitions and tasks
(`model.py`), their API operations (`api.py`), and the agent's pull through the task's network (`pull.py`)."""
