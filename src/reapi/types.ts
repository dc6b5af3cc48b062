// REAPI v2 messages as reprise's loader decodes them (src/reapi/load-reapi-protos.ts: camelCase
// names, int64 as number, bytes as Buffer, defaults filled in, an absent message as null). One
// interface per message of src/reapi/proto; the protos are the truth, these mirror them.

// ---------------------------------------------------------------- google.*

/** google.protobuf.Any: proto-loader's bundled well-known type keeps its snake_case field name. */
export interface PbAny {
  type_url: string;
  value: Buffer;
}

/** google.protobuf.Duration and google.protobuf.Timestamp */
export interface PbDuration {
  seconds: number;
  nanos: number;
}
export type PbTimestamp = PbDuration;

/** google.rpc.Status: `code` is a google.rpc.Code (the gRPC status codes). */
export interface RpcStatus {
  code: number;
  message: string;
  details: PbAny[];
}

/** google.rpc.RetryInfo, in a Status's details. */
export interface RetryInfo {
  retryDelay: PbDuration | null;
}

/** google.rpc.PreconditionFailure, in a Status's details (REAPI: missing inputs, type MISSING). */
export interface PreconditionFailure {
  violations: Array<{ type: string; subject: string; description: string }>;
}

/** google.longrunning.Operation; `result` names the oneof member that is set. */
export interface Operation {
  name: string;
  metadata: PbAny | null;
  done: boolean;
  error?: RpcStatus | null;
  response?: PbAny | null;
  result?: 'error' | 'response';
}

export interface ReadRequest {
  resourceName: string;
  readOffset: number;
  readLimit: number;
}
export interface ReadResponse {
  data: Buffer;
}
export interface WriteRequest {
  resourceName: string;
  writeOffset: number;
  finishWrite: boolean;
  data: Buffer;
}
export interface WriteResponse {
  committedSize: number;
}
export interface QueryWriteStatusRequest {
  resourceName: string;
}
export interface QueryWriteStatusResponse {
  committedSize: number;
  complete: boolean;
}

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string;
}

// ---------------------------------------------------------------- build.bazel.remote.execution.v2

/** DigestFunction.Value */
export const DIGEST_FUNCTION = { UNKNOWN: 0, SHA256: 1, SHA1: 2, MD5: 3, VSO: 4, SHA384: 5, SHA512: 6, MURMUR3: 7, SHA256TREE: 8, BLAKE3: 9 } as const;

export interface WireDigest {
  hash: string;
  sizeBytes: number;
}

export interface Action {
  commandDigest: WireDigest | null;
  inputRootDigest: WireDigest | null;
  timeout: PbDuration | null;
  doNotCache: boolean;
  salt: Buffer;
  platform: Platform | null;
}

export interface EnvironmentVariable {
  name: string;
  value: string;
}
export interface Command {
  arguments: string[];
  environmentVariables: EnvironmentVariable[];
  outputFiles: string[];
  outputDirectories: string[];
  platform: Platform | null;
  workingDirectory: string;
  outputPaths: string[];
}

export interface PlatformProperty {
  name: string;
  value: string;
}
export interface Platform {
  properties: PlatformProperty[];
}

export interface Directory {
  files: FileNode[];
  directories: DirectoryNode[];
  symlinks: SymlinkNode[];
}
export interface FileNode {
  name: string;
  digest: WireDigest | null;
  isExecutable: boolean;
}
export interface DirectoryNode {
  name: string;
  digest: WireDigest | null;
}
export interface SymlinkNode {
  name: string;
  target: string;
}
export interface Tree {
  root: Directory | null;
  children: Directory[];
}

export interface WireActionResult {
  outputFiles: WireOutputFile[];
  outputDirectories: OutputDirectory[];
  exitCode: number;
  stdoutRaw: Buffer;
  stdoutDigest: WireDigest | null;
  stderrRaw: Buffer;
  stderrDigest: WireDigest | null;
  executionMetadata: ExecutedActionMetadata | null;
  outputFileSymlinks: OutputSymlink[];
  outputDirectorySymlinks: OutputSymlink[];
  outputSymlinks: OutputSymlink[];
}
export interface WireOutputFile {
  path: string;
  digest: WireDigest | null;
  isExecutable: boolean;
  contents: Buffer;
}
export interface OutputDirectory {
  path: string;
  treeDigest: WireDigest | null;
}
export interface OutputSymlink {
  path: string;
  target: string;
}
export interface ExecutedActionMetadata {
  worker: string;
  queuedTimestamp: PbTimestamp | null;
  workerStartTimestamp: PbTimestamp | null;
  workerCompletedTimestamp: PbTimestamp | null;
  inputFetchStartTimestamp: PbTimestamp | null;
  inputFetchCompletedTimestamp: PbTimestamp | null;
  executionStartTimestamp: PbTimestamp | null;
  executionCompletedTimestamp: PbTimestamp | null;
  outputUploadStartTimestamp: PbTimestamp | null;
  outputUploadCompletedTimestamp: PbTimestamp | null;
}

export interface ExecutionPolicy {
  priority: number;
}
export interface ResultsCachePolicy {
  priority: number;
}
export interface ExecuteRequest {
  instanceName: string;
  skipCacheLookup: boolean;
  actionDigest: WireDigest | null;
  executionPolicy: ExecutionPolicy | null;
  resultsCachePolicy: ResultsCachePolicy | null;
  digestFunction: number;
}
export interface LogFile {
  digest: WireDigest | null;
  humanReadable: boolean;
}
export interface ExecuteResponse {
  result: WireActionResult | null;
  cachedResult: boolean;
  status: RpcStatus | null;
  serverLogs: Record<string, LogFile>;
  message: string;
}
/** ExecutionStage.Value */
export const EXECUTION_STAGE = { UNKNOWN: 0, CACHE_CHECK: 1, QUEUED: 2, EXECUTING: 3, COMPLETED: 4 } as const;
export interface ExecuteOperationMetadata {
  stage: number;
  actionDigest: WireDigest | null;
  stdoutStreamName: string;
  stderrStreamName: string;
}
export interface WaitExecutionRequest {
  name: string;
}

export interface GetActionResultRequest {
  instanceName: string;
  actionDigest: WireDigest | null;
  inlineStdout: boolean;
  inlineStderr: boolean;
  inlineOutputFiles: string[];
  digestFunction: number;
}
export interface UpdateActionResultRequest {
  instanceName: string;
  actionDigest: WireDigest | null;
  actionResult: WireActionResult | null;
  resultsCachePolicy: ResultsCachePolicy | null;
  digestFunction: number;
}

export interface FindMissingBlobsRequest {
  instanceName: string;
  blobDigests: WireDigest[];
  digestFunction: number;
}
export interface FindMissingBlobsResponse {
  missingBlobDigests: WireDigest[];
}
export interface BatchUpdateBlobsRequest {
  instanceName: string;
  requests: Array<{ digest: WireDigest | null; data: Buffer }>;
  digestFunction: number;
}
export interface BatchUpdateBlobsResponse {
  responses: Array<{ digest: WireDigest | null; status: RpcStatus | null }>;
}
export interface BatchReadBlobsRequest {
  instanceName: string;
  digests: WireDigest[];
  digestFunction: number;
}
export interface BatchReadBlobsResponse {
  responses: Array<{ digest: WireDigest | null; data: Buffer; status: RpcStatus | null }>;
}
export interface GetTreeRequest {
  instanceName: string;
  rootDigest: WireDigest | null;
  pageSize: number;
  pageToken: string;
  digestFunction: number;
}
export interface GetTreeResponse {
  directories: Directory[];
  nextPageToken: string;
}

export interface GetCapabilitiesRequest {
  instanceName: string;
}
export interface ServerCapabilities {
  cacheCapabilities: CacheCapabilities | null;
  executionCapabilities: ExecutionCapabilities | null;
  deprecatedApiVersion: SemVer | null;
  lowApiVersion: SemVer | null;
  highApiVersion: SemVer | null;
}
export interface PriorityCapabilities {
  priorities: Array<{ minPriority: number; maxPriority: number }>;
}
export interface CacheCapabilities {
  digestFunction: number[];
  actionCacheUpdateCapabilities: { updateEnabled: boolean } | null;
  cachePriorityCapabilities: PriorityCapabilities | null;
  maxBatchTotalSizeBytes: number;
  symlinkAbsolutePathStrategy: number;
}
export interface ExecutionCapabilities {
  digestFunction: number;
  execEnabled: boolean;
  executionPriorityCapabilities: PriorityCapabilities | null;
  supportedNodeProperties: string[];
}

export interface ToolDetails {
  toolName: string;
  toolVersion: string;
}
export interface RequestMetadata {
  toolDetails: ToolDetails | null;
  actionId: string;
  toolInvocationId: string;
  correlatedInvocationsId: string;
  actionMnemonic: string;
  targetId: string;
  configurationId: string;
}

// ---------------------------------------------------------------- what goes out

/**
 * A message as reprise sends it: any field may be left out (it takes its default), and nested
 * messages likewise.
 */
export type Outgoing<T> = T extends Buffer
  ? Buffer
  : T extends Array<infer U>
    ? Array<Outgoing<U>>
    : T extends object
      ? { [K in keyof T]?: Outgoing<NonNullable<T[K]>> | null }
      : T;

/** The messages reprise encodes or decodes outside a call, by full protobuf name. */
export interface ReapiMessages {
  'build.bazel.remote.execution.v2.ActionResult': WireActionResult;
  'build.bazel.remote.execution.v2.Action': Action;
  'build.bazel.remote.execution.v2.Command': Command;
  'build.bazel.remote.execution.v2.Directory': Directory;
  'build.bazel.remote.execution.v2.Tree': Tree;
  'build.bazel.remote.execution.v2.ExecuteResponse': ExecuteResponse;
  'build.bazel.remote.execution.v2.ExecuteOperationMetadata': ExecuteOperationMetadata;
  'build.bazel.remote.execution.v2.RequestMetadata': RequestMetadata;
  'google.rpc.RetryInfo': RetryInfo;
  'google.rpc.PreconditionFailure': PreconditionFailure;
  'google.longrunning.Operation': Operation;
  'google.rpc.Status': RpcStatus;
}

// ---------------------------------------------------------------- calls

interface Call<Req, Res> {
  request: Req;
  response: Res;
}

/** Unary RPCs, by method name (each name is unique across the services reprise calls). */
export interface ReapiUnaryCalls {
  GetCapabilities: Call<GetCapabilitiesRequest, ServerCapabilities>;
  FindMissingBlobs: Call<FindMissingBlobsRequest, FindMissingBlobsResponse>;
  BatchUpdateBlobs: Call<BatchUpdateBlobsRequest, BatchUpdateBlobsResponse>;
  BatchReadBlobs: Call<BatchReadBlobsRequest, BatchReadBlobsResponse>;
  GetActionResult: Call<GetActionResultRequest, WireActionResult>;
  UpdateActionResult: Call<UpdateActionResultRequest, WireActionResult>;
  QueryWriteStatus: Call<QueryWriteStatusRequest, QueryWriteStatusResponse>;
}

/** Server-streaming RPCs. */
export interface ReapiServerStreamCalls {
  Read: Call<ReadRequest, ReadResponse>;
  GetTree: Call<GetTreeRequest, GetTreeResponse>;
  Execute: Call<ExecuteRequest, Operation>;
  WaitExecution: Call<WaitExecutionRequest, Operation>;
}

/** Client-streaming RPCs. */
export interface ReapiClientStreamCalls {
  Write: Call<WriteRequest, WriteResponse>;
}

/** The service of each method (full protobuf names). */
export const REAPI_SERVICE_OF: Record<keyof ReapiUnaryCalls | keyof ReapiServerStreamCalls | keyof ReapiClientStreamCalls, string> = {
  GetCapabilities: 'build.bazel.remote.execution.v2.Capabilities',
  FindMissingBlobs: 'build.bazel.remote.execution.v2.ContentAddressableStorage',
  BatchUpdateBlobs: 'build.bazel.remote.execution.v2.ContentAddressableStorage',
  BatchReadBlobs: 'build.bazel.remote.execution.v2.ContentAddressableStorage',
  GetTree: 'build.bazel.remote.execution.v2.ContentAddressableStorage',
  GetActionResult: 'build.bazel.remote.execution.v2.ActionCache',
  UpdateActionResult: 'build.bazel.remote.execution.v2.ActionCache',
  Execute: 'build.bazel.remote.execution.v2.Execution',
  WaitExecution: 'build.bazel.remote.execution.v2.Execution',
  Read: 'google.bytestream.ByteStream',
  Write: 'google.bytestream.ByteStream',
  QueryWriteStatus: 'google.bytestream.ByteStream',
};
