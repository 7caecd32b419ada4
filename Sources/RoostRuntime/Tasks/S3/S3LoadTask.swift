import Dispatch
import Foundation
import RoostCore
import RoostGzip
import RoostS3
import RoostStore

/// Writes the records an upstream task left in JSON-lines files to the lake as gzip-compressed
/// JSON lines (or CSV), under `<s3.prefix>/<prefix>/dt=YYYY-MM-DD/hour=HH/`, then a manifest for
/// the run, recording every object in `roost.s3_objects`.
///
/// Keys and bytes depend only on the input (file name, line of the first record, partition), so
/// a retried try overwrites exactly the objects an interrupted one wrote, and adds none.
public struct S3LoadTask: TaskType {
    public let client: S3Client
    public let config: RoostConfig.S3
    public let objects: S3ObjectStore

    public init(client: S3Client, config: RoostConfig.S3, objects: S3ObjectStore) {
        self.client = client
        self.config = config
        self.objects = objects
    }

    public var name: String { "s3_load" }

    public func validate(params: JSONValue) throws { _ = try S3LoadParams(params) }

    public func run(_ context: TaskContext) async throws {
        let params = try S3LoadParams(context.params)
        let bucket = params.bucket ?? config.bucket
        guard !bucket.isEmpty else { throw TaskParamError("no bucket: set s3.bucket (ROOST_S3_BUCKET) or params.bucket") }
        let task = context.task
        let input = TaskPathTemplate.resolve(params.input, for: task)
        let prefix = [config.prefix, params.prefix ?? task.dagID].filter { !$0.isEmpty }.joined(separator: "/")

        // Objects go up `uploadsInFlight` at a time (one PUT each is mostly waiting on S3); the
        // manifest lists them in input order whatever order they finish in.
        var written: [(index: Int, entry: S3LoadManifest.Entry)] = []
        try await withThrowingTaskGroup(of: (Int, S3LoadManifest.Entry).self) { group in
            var index = 0
            for file in try await Self.inputFiles(input) {
                let contents = try await Self.read(file)
                let batches = try JSONLinesBatcher.batches(file: file, contents: contents, partitionBy: params.partitionBy,
                                                           logicalDate: task.dataInterval.start, maxRecords: params.maxRecordsPerObject)
                for batch in batches {
                    if index >= Self.uploadsInFlight, let done = try await group.next() { written.append(done) }
                    let key = "\(prefix)/\(batch.partition.path)/\(batch.name).\(params.format.rawValue).gz"
                    let recordIDs = try params.recordIDField.map { try Self.recordIDs(batch, field: $0, file: file) }
                    let body = try Gzip.compress(RecordEncoder.encode(batch, format: params.format, columns: params.columns))
                    let records = batch.records.count
                    group.addTask { [index] in
                        (index, try await upload(body, key: key, records: records, recordIDs: recordIDs, bucket: bucket, params: params, context))
                    }
                    index += 1
                }
            }
            for try await done in group { written.append(done) }
        }
        let entries = written.sorted { $0.index < $1.index }.map(\.entry)

        let manifest = S3LoadManifest(dagID: task.dagID, runID: task.runID, taskID: task.taskID, format: params.format.rawValue,
                                      objects: entries)
        let manifestKey = "\(prefix)/_manifests/\(task.runID)/\(task.taskID).json"
        let body = try manifest.encoded()
        let result = try await client.putObject(bucket: bucket, key: manifestKey, payload: .data(body), contentType: "application/json")
        try await objects.record(.init(bucket: bucket, key: manifestKey, kind: "manifest", format: "json", bytes: Int64(body.count),
                                       records: Int64(entries.reduce(0) { $0 + $1.records }), etag: result.etag,
                                       checksumSHA256: result.checksumSHA256, attemptID: task.attemptID))
        context.log("wrote \(entries.count) objects and s3://\(bucket)/\(manifestKey)")
    }

    static let uploadsInFlight = 8

    /// Puts one object and records it (and the record ids it holds).
    private func upload(_ body: Data, key: String, records: Int, recordIDs: [String]?, bucket: String, params: S3LoadParams,
                        _ context: TaskContext) async throws -> S3LoadManifest.Entry {
        let task = context.task
        let result = try await client.upload(bucket: bucket, key: key, payload: .data(body), contentType: "application/gzip")
        try await objects.record(.init(bucket: bucket, key: key, kind: "data", format: params.format.rawValue,
                                       bytes: Int64(result.size), records: Int64(records), etag: result.etag,
                                       checksumSHA256: result.checksumSHA256, attemptID: task.attemptID),
                               recordIDs: recordIDs ?? [])
        context.count("s3_objects_written")
        context.count("s3_records_written", Int64(records))
        context.count("s3_bytes_written", Int64(result.size))
        return .init(key: key, bytes: result.size, records: records, checksumSHA256: result.checksumSHA256)
    }

    private static func recordIDs(_ batch: RecordBatch, field: String, file: String) throws -> [String] {
        try batch.records.map { record in
            switch record.value[field] {
            case .string(let id): id
            case .int(let id): String(id)
            default: throw TaskParamError("\(file): a record of \(batch.name) has no \(field) (params.record_id_field)")
            }
        }
    }

    /// The input file, or a folder's `*.jsonl` files in name order.
    private static func inputFiles(_ path: String) async throws -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw TaskParamError("params.input: \(path) does not exist")
        }
        guard isFolder.boolValue else { return [path] }
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".jsonl") }.sorted()
        return names.map { "\(path)/\($0)" }
    }

    /// Reads a file on a queue of its own, off Swift's cooperative pool.
    private static func read(_ path: String) async throws -> Data {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    guard let data = FileManager.default.contents(atPath: path) else {
                        throw TaskParamError("params.input: cannot read \(path)")
                    }
                    return data
                })
            }
        }
    }
}
