"""The local stack's data plane: the AWS services OrderFlow uses, on one SQLite database.

``Engine`` (engine.py) holds one instance of each service; ``server.py`` speaks their wire
protocols on the AWS port (boto3, the AWS CLI); the stack's own parts (pollers, the state
machine interpreter, the gateway) call the same services in-process. See docs/local-stack.md.
"""
