"""AWS Step Functions for the local stack: the real ASL run by moto's interpreter (the one
LocalStack wrote), its executions and their histories kept in the data plane's store.

moto interprets; everything an operator reads (ListExecutions, DescribeExecution,
GetExecutionHistory) comes from the store once an execution has closed, so closed executions
cost no memory and survive a restart; executions that were running when the stack died are
restarted from their input (every task is idempotent) and say so in their history.
"""
