"""Amazon ECR: private registries, repositories, images, layers, lifecycle policies, scans and tokens.

Importing the package registers every ECR operation handler with `ecrsim.engine.api`.
"""
