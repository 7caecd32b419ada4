import Foundation
import RoostCore

/// `s3_load`'s params, checked once.
struct S3LoadParams: Sendable {
    enum Format: String, Sendable { case jsonl, csv }

    /// A JSON-lines file, or a folder of `*.jsonl` files, written by an upstream task.
    /// `{dag_id}`, `{run_id}`, `{task_id}` and `{ds}` are replaced.
    var input: String
    /// Below `s3.prefix`; defaults to the DAG id.
    var prefix: String?
    var bucket: String?
    var format: Format
    /// CSV columns: top-level fields of each record, in order.
    var columns: [String]
    /// "logical_date" (the run's data interval start), or a record field holding an ISO-8601 time.
    var partitionBy: String
    var maxRecordsPerObject: Int
    /// A top-level field naming each record (the pipeline's `tweet_id`): recorded per object in
    /// `roost.s3_object_records`, so SQL finds the object holding a record.
    var recordIDField: String?

    static let keys: Set<String> = ["input", "prefix", "bucket", "format", "columns", "partition_by", "max_records_per_object", "record_id_field"]

    init(_ params: JSONValue) throws {
        try params.requireKnownKeys(Self.keys)
        input = try params.requiredString("input")
        prefix = try Self.optionalString(params, "prefix")
        bucket = try Self.optionalString(params, "bucket")
        let formatName = try Self.optionalString(params, "format") ?? "jsonl"
        guard let format = Format(rawValue: formatName) else { throw TaskParamError("params.format must be jsonl or csv, not \(formatName)") }
        self.format = format
        if let list = params["columns"], list != .null {
            guard let names = list.arrayValue?.compactMap(\.stringValue), names.count == list.arrayValue?.count, !names.isEmpty else {
                throw TaskParamError("params.columns must be a non-empty list of field names")
            }
            columns = names
        } else {
            columns = []
        }
        if format == .csv && columns.isEmpty { throw TaskParamError("params.columns is required when params.format is csv") }
        partitionBy = try Self.optionalString(params, "partition_by") ?? "logical_date"
        let maximum = try params.optionalNumber("max_records_per_object") ?? 100_000
        guard maximum >= 1, maximum == maximum.rounded() else {
            throw TaskParamError("params.max_records_per_object must be a whole number of at least 1")
        }
        maxRecordsPerObject = Int(maximum)
        recordIDField = try Self.optionalString(params, "record_id_field")
    }

    private static func optionalString(_ params: JSONValue, _ key: String) throws -> String? {
        guard let value = params[key], value != .null else { return nil }
        guard let text = value.stringValue else { throw TaskParamError("params.\(key) must be a string") }
        return text
    }
}
