"""AWS KMS as far as ECR meets it: keys, aliases, key policies and the key states that decide whether a
repository encrypted with a key can be pushed to and pulled from."""
