import Foundation
import RoostCore
import RoostGzip
import RoostPostgres
@testable import RoostRuntime
import RoostS3
import RoostStore
import RoostTestSupport
import Testing

@Suite struct S3LoadTaskTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)  // 2026-09-21T14:13:20Z

    /// `count` tweet-like records, one a minute from `start`, as JSON lines.
    static func records(_ count: Int) -> String {
        let formatter = ISO8601DateFormatter()
        return (0..<count).map { i in
            #"{"id":"\#(1_000_000 + i)","text":"tweet \#(i), with \"quotes\"","created_at":"\#(formatter.string(from: start.addingTimeInterval(Double(i) * 60)))"}"#
        }.joined(separator: "\n") + "\n"
    }

    /// A folder of its own holding tweets.jsonl (the file name becomes part of the keys).
    static func inputFile(records count: Int) throws -> String {
        let folder = temporaryPath("input")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try records(count).write(toFile: folder + "/tweets.jsonl", atomically: true, encoding: .utf8)
        return folder + "/tweets.jsonl"
    }

    static func dag(_ id: String, input: String, prefix: String, extra: [String: JSONValue] = [:]) -> DagDefinition {
        .test(id, tasks: [TaskDefinition(taskID: "load", type: "s3_load", params: .object([
            "input": .string(input), "prefix": .string(prefix), "partition_by": .string("created_at"),
            "max_records_per_object": .int(20),
        ].merging(extra) { $1 }), args: TaskArgs(retries: 1, retryDelay: .zero))])
    }

    @Test func paramsAreCheckedWithTheFieldNamed() throws {
        // Validation touches neither S3 nor the database: neither address needs to answer.
        let nowhere = PostgresPool(settings: PostgresSettings(conninfo: "host=127.0.0.1 port=1"), size: 1)
        let task = S3LoadTask(client: Moto.client(endpoint: URL(string: "http://127.0.0.1:1")!), config: try config(bucket: "b"),
                              objects: S3ObjectStore(pool: nowhere))
        func problem(_ params: [String: JSONValue]) -> String? {
            do { try task.validate(params: .object(params)) } catch { return "\(error)" }
            return nil
        }
        #expect(problem([:]) == "params.input must be a string")
        #expect(problem(["input": .string("x"), "format": .string("csv")]) == "params.columns is required when params.format is csv")
        #expect(problem(["input": .string("x"), "format": .string("parquet")]) == "params.format must be jsonl or csv, not parquet")
        #expect(problem(["input": .string("x"), "max_records_per_object": .int(0)]) == "params.max_records_per_object must be a whole number of at least 1")
        #expect(problem(["input": .string("x"), "topic": .string("t")])?.hasPrefix("params.topic is not a parameter of this task type") == true)
        #expect(problem(["input": .string("x"), "format": .string("csv"), "columns": .array([.string("id")])]) == nil)
    }

    @Test func batchesFollowThePartitionFieldAndTheSizeBound() throws {
        // kafka_consume's lines: epoch milliseconds in timestamp_ms.
        let hour = 1_790_000_000_000 - 1_790_000_000_000 % 3_600_000
        let text = (0..<5).map { #"{"offset":\#($0),"timestamp_ms":\#(hour + [0, 1, 3_600_000, 3_600_001, 2][$0])}"# }.joined(separator: "\n")
        let batches = try JSONLinesBatcher.batches(file: "/in/consume.jsonl", contents: Data((text + "\n\n").utf8), partitionBy: "timestamp_ms",
                                                   logicalDate: Self.start, maxRecords: 2)
        #expect(batches.map(\.name) == ["consume-0000000001", "consume-0000000005", "consume-0000000003"])
        #expect(batches.map(\.partition.path) == ["dt=2026-09-21/hour=14", "dt=2026-09-21/hour=14", "dt=2026-09-21/hour=15"])
        #expect(batches.map(\.records.count) == [2, 1, 2])
        #expect(throws: TaskParamError.self) {
            try JSONLinesBatcher.batches(file: "/in/x.jsonl", contents: Data("{}\nnot json\n".utf8), partitionBy: "logical_date", logicalDate: Self.start, maxRecords: 9)
        }
        let missing = #expect(throws: TaskParamError.self) {
            try JSONLinesBatcher.batches(file: "/in/x.jsonl", contents: Data(#"{"a":1}"#.utf8), partitionBy: "created_at", logicalDate: Self.start, maxRecords: 9)
        }
        #expect(missing?.description.hasPrefix("/in/x.jsonl:1: field created_at (params.partition_by)") == true)
    }

    @Test func loadsPartitionedGzipJSONLinesAndCSVWithAManifestAndRecordsEveryObject() async throws {
        let fleet = try await Fleet.create()
        let moto = try await Moto.server
        let bucket = Moto.bucket()
        let client = Moto.client(endpoint: moto.baseURL)
        try await client.createBucket(bucket)
        let input = try Self.inputFile(records: 130)
        defer { try? FileManager.default.removeItem(atPath: (input as NSString).deletingLastPathComponent) }
        try await fleet.trigger(Self.dag("lake", input: input, prefix: "tweets"))
        try await fleet.trigger(Self.dag("lakecsv", input: input, prefix: "csv", extra: [
            "format": .string("csv"), "columns": .array([.string("id"), .string("text")]), "max_records_per_object": .int(1000),
        ]))
        let worker = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 2,
                                       extraEnvironment: Moto.environment(endpoint: moto.baseURL, bucket: bucket))
        try await fleet.drive(fleet.scheduler([]), "both runs succeed") {
            try await fleet.scalar("SELECT count(*) FROM roost.dag_runs WHERE state = 'success'", as: Int.self) == 2
        }
        worker.signal(SIGTERM)

        // 130 minutes from 14:13 span hours 14 (lines 1–47), 15 (48–107) and 16 (108–130): 3 + 3 + 2 objects of at most 20.
        let objects = try await client.listAllObjects(bucket: bucket, prefix: "tweets/")
        let data = objects.filter { !$0.key.contains("_manifests") }
        #expect(data.count == 8)
        #expect(data.first?.key == "tweets/dt=2026-09-21/hour=14/tweets-0000000001.jsonl.gz")
        #expect(data.last?.key == "tweets/dt=2026-09-21/hour=16/tweets-0000000128.jsonl.gz")
        var lines: [String] = []
        for object in data {
            let body = try Gzip.decompress(try await client.getObject(bucket: bucket, key: object.key))
            lines += String(decoding: body, as: UTF8.self).split(separator: "\n").map(String.init)
        }
        #expect(lines.sorted() == Self.records(130).split(separator: "\n").map(String.init).sorted(), "every record once, as it was")

        let csv = try await client.listAllObjects(bucket: bucket, prefix: "csv/dt=2026-09-21/hour=15/")
        let table = String(decoding: try Gzip.decompress(try await client.getObject(bucket: bucket, key: try #require(csv.first).key)), as: UTF8.self)
        #expect(table.hasPrefix("id,text\r\n1000047,\"tweet 47, with \"\"quotes\"\"\"\r\n"))

        let recorded = try await S3ObjectStore(pool: fleet.pool).objects(dagID: "lake", runID: try await runID(fleet, "lake"), taskID: "load")
        #expect(Set(recorded.map(\.key)) == Set(objects.map(\.key)))
        #expect(recorded.filter { $0.kind == "data" }.map(\.records).reduce(0, +) == 130)
        let manifest = try #require(recorded.first { $0.kind == "manifest" })
        let manifestBody = try await client.getObject(bucket: bucket, key: manifest.key)
        let parsed = try JSONDecoder().decode(JSONValue.self, from: manifestBody)
        #expect(parsed["objects"]?.arrayValue?.count == 8)
        #expect(parsed["dag_id"]?.stringValue == "lake")
        #expect(try await fleet.scalar("SELECT (metrics->>'s3_records_written')::int FROM roost.task_attempts a JOIN roost.task_instances ti ON ti.id = a.task_instance_id JOIN roost.dag_runs r ON r.id = ti.dag_run_id WHERE r.dag_id = 'lake'", as: Int.self) == 130)
    }

    @Test func aRetryAfterKill9LeavesExactlyTheObjectsOfAnUninterruptedRun() async throws {
        let fleet = try await Fleet.create()
        let moto = try await Moto.server
        let proxy = try await FaultProxy(upstream: moto)
        let bucket = Moto.bucket()
        let client = Moto.client(endpoint: moto.baseURL)
        try await client.createBucket(bucket)
        let input = try Self.inputFile(records: 300)
        defer { try? FileManager.default.removeItem(atPath: (input as NSString).deletingLastPathComponent) }
        let environment = Moto.environment(endpoint: proxy.server.baseURL, bucket: bucket)
        let scheduler = fleet.scheduler([])

        try await fleet.trigger(Self.dag("whole", input: input, prefix: "whole"))
        let first = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 1, heartbeat: "500ms", lease: "2s",
                                      extraEnvironment: environment)
        try await fleet.drive(scheduler, "the uninterrupted run succeeds") {
            try await fleet.scalar("SELECT count(*) FROM roost.dag_runs WHERE state = 'success'", as: Int.self) == 1
        }
        first.signal(SIGTERM)
        _ = try await first.waitForExit()

        // Slow the second run's uploads (s3_load sends 8 at a time) so the worker dies in the middle of them.
        try await proxy.inject([.init(method: "PUT", match: "/\(bucket)/killed/", times: 10_000, action: "delay", seconds: 1.0)])
        try await fleet.trigger(Self.dag("killed", input: input, prefix: "killed"))
        let victim = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 1, heartbeat: "500ms", lease: "2s",
                                       extraEnvironment: environment)
        try await fleet.drive(scheduler, "some objects are written") {
            try await client.listAllObjects(bucket: bucket, prefix: "killed/").count >= 4
        }
        victim.signal(SIGKILL)
        let partial = try await client.listAllObjects(bucket: bucket, prefix: "killed/").count
        let rescuer = try WorkerProcess(database: fleet.database, queues: "default", concurrency: 1, heartbeat: "500ms", lease: "2s",
                                        extraEnvironment: environment)
        try await fleet.drive(scheduler, "the retried run succeeds") {
            try await fleet.scalar("SELECT count(*) FROM roost.dag_runs WHERE state = 'success'", as: Int.self) == 2
        }
        rescuer.signal(SIGTERM)

        let whole = try await client.listAllObjects(bucket: bucket, prefix: "whole/").filter { !$0.key.contains("_manifests") }
        let killed = try await client.listAllObjects(bucket: bucket, prefix: "killed/").filter { !$0.key.contains("_manifests") }
        #expect(partial < killed.count, "the worker was killed before it finished")
        #expect(whole.count == 16, "hours 14 to 19: 3 + 3 + 3 + 3 + 3 + 1 objects")
        #expect(killed.map { $0.key.dropFirst("killed/".count) } == whole.map { $0.key.dropFirst("whole/".count) })
        #expect(killed.map(\.etag) == whole.map(\.etag), "the same bytes")
        #expect(killed.map(\.size) == whole.map(\.size))
        #expect(try await client.listMultipartUploads(bucket: bucket).isEmpty)

        #expect(try await fleet.scalar("SELECT string_agg(a.state, ',' ORDER BY a.try_number) FROM roost.task_attempts a JOIN roost.task_instances ti ON ti.id = a.task_instance_id JOIN roost.dag_runs r ON r.id = ti.dag_run_id WHERE r.dag_id = 'killed'", as: String.self) == "lease_expired,success")
        let recorded = try await S3ObjectStore(pool: fleet.pool).objects(dagID: "killed", runID: try await runID(fleet, "killed"), taskID: "load")
        #expect(recorded.filter { $0.kind == "data" }.map(\.key) == killed.map(\.key), "one row per object, none twice")
    }

    func runID(_ fleet: Fleet, _ dagID: String) async throws -> String {
        try await fleet.scalar("SELECT run_id FROM roost.dag_runs WHERE dag_id = $1", dagID, as: String.self)
    }

    func config(bucket: String) throws -> RoostConfig.S3 {
        try ConfigLoader(environment: ["ROOST_S3_BUCKET": bucket]).load(path: "/nonexistent", required: false).s3
    }
}
