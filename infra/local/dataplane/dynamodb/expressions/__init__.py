"""DynamoDB's expression language: condition, filter, key condition, update, projection.

Each expression string is tokenized and parsed once (recursive descent, a bounded cache
keyed by kind and text); ``#names`` and ``:values`` stay placeholders in the tree and are
bound when it is evaluated, so one parse serves every request that uses the expression.
"""
