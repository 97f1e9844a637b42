"""DynamoDB and DynamoDB Streams for the local data plane, on the shared SQLite store.

Emulated: CreateTable (keys, GSIs and LSIs with projections, billing mode, stream), DescribeTable,
ListTables, DeleteTable, UpdateTimeToLive, DescribeTimeToLive, PutItem, GetItem, UpdateItem,
DeleteItem, Query, Scan (parallel segments), BatchWriteItem, BatchGetItem, TransactWriteItems
(ClientRequestToken honoured for 10 minutes), TransactGetItems; every expression kind;
ReturnValues, ReturnValuesOnConditionCheckFailure, Select, pagination with Limit and the 1 MB
page, the 400 KB item limit; ConsumedCapacity when asked (plausible units, not metered).
Streams: ListStreams, DescribeStream, GetShardIterator, GetRecords; TTL deletions by ``expire``,
which also trims stream records past 24 hours and transaction tokens past 10 minutes (reads
trim their own stream too). A TTL deletion's record carries ``userIdentity`` as GetRecords
spells it (``{"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}``); a Lambda event
built from it spells the members ``type`` and ``principalId``.

One DynamoDB service per database file: it keeps table definitions parsed and drops them
when its own CreateTable, DeleteTable or UpdateTimeToLive changes them.

Not emulated (a clear error, or said here): the legacy parameters (Expected, AttributeUpdates,
KeyConditions, QueryFilter, ScanFilter, AttributesToGet, ConditionalOperator: a
ValidationException names them); PartiQL, UpdateTable, backups, global tables, tags,
ItemCollectionMetrics (never returned), throttling and capacity limits (never
``ProvisionedThroughputExceededException``); a table is ACTIVE at once; a stream has one
shard that never closes; a deleted table's stream is gone at once (AWS keeps it 24 h);
the 4 MB limit of a transaction counts the items it writes, not the request's bytes;
TransactionConflict is never answered (transactions are serialised: the loser of a race sees
the winner's write and fails its condition); secondary indexes are read consistently.
"""

from infra.local.dataplane.dynamodb.service import DynamoDB
from infra.local.dataplane.dynamodb.streams import DynamoDBStreams

__all__ = ["DynamoDB", "DynamoDBStreams"]
