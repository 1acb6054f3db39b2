"""Amazon ECR: private registries, repositories, images, layers, lifecycle policies, scans and tokens.

Importing the package registers every ECR operation handler with `ecrsim.engine.api`.
"""

from ecrsim.engine.ecr import (  # noqa: F401  (imported for their @operation registrations)
    images,
    layers,
    lifecycle,
    policies,
    repositories,
    scanning,
    tokens,
)
