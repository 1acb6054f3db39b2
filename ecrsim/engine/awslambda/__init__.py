"""AWS Lambda functions packaged as container images, as far as they meet ECR: the function records
(`model.py`), the rules for the image they run (`image.py`), and the API operations (`api.py`)."""
