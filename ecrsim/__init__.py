"""ecrsim: an interactive simulator and study aid for Amazon Elastic Container Registry."""

__version__ = "0.1.0"
