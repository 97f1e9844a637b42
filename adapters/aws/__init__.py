"""Adapters backed by AWS: DynamoDB (orders, outbox, provider results), EventBridge, Step Functions.

The same code runs against the local stack: boto3 reads AWS_ENDPOINT_URL itself.
"""
