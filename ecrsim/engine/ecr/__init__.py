"""Amazon ECR: private registries, repositories, images, layers, lifecycle policies, scans and tokens.

The operation handlers register themselves with `ecrsim.engine.api` when their modules are imported,
which the world does on the first ECR call (world.OPERATION_MODULES); importing the package itself, as
the docker client does for content and tokens, loads none of them.
"""
