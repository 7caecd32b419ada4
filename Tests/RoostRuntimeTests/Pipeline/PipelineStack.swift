import Foundation
import RoostCore
import RoostGzip
import RoostKafka
import RoostS3
import RoostStore
import RoostTestSupport

/// The whole pipeline as separate processes, as a user runs it: `roost dev kafka`, moto_server, the
/// fake X API, a `roost scheduler` on shipped DAGs (e.g. `twitter_pipeline`, its source switched from
/// the replay sample to a search of the fake API, its staging folder to a temporary one), and
/// workers on the `ingest` and `lake` queues.
final class PipelineStack: @unchecked Sendable {
    // @unchecked Sendable: `workers` is only touched by the test's own task, one call at a time.
    let database: TestDatabase
    let kafka: DevKafkaProcess
    let xAPI: FakeXAPI
    let moto: ServerProcess
    let bucket = Moto.bucket()
    let dagsFolder = temporaryPath("pipeline-dags")
    let staging = temporaryPath("pipeline-staging")
    /// The last hour that has ended: the run the scheduler makes first (catchup off).
    let interval: DataInterval
    private(set) var scheduler: RoostProcess?
    private(set) var workers: [(queue: String, process: WorkerProcess)] = []

    init(topics: [String] = ["tweets.raw", "tweets.dead_letter"]) async throws {
        database = try await TestDatabase.create(migrated: true)
        kafka = try DevKafkaProcess(arguments: ["--partitions", "4"] + topics.flatMap { ["--topic", $0] })
        _ = try await kafka.bootstrapServers()
        xAPI = try await FakeXAPI()
        moto = try await Moto.server
        try await Moto.client(endpoint: moto.baseURL).createBucket(bucket)
        let hour = (Date().timeIntervalSince1970 / 3600).rounded(.down) * 3600
        interval = DataInterval(start: Date(timeIntervalSince1970: hour - 3600), end: Date(timeIntervalSince1970: hour))
    }

    var environment: [String: String] {
        kafka.environment.merging(Moto.environment(endpoint: moto.baseURL, bucket: bucket)) { $1 }.merging([
            "ROOST_DATABASE_URL": database.url, "ROOST_TWITTER_BASE_URL": xAPI.baseURL.absoluteString,
            "X_BEARER_TOKEN": FakeXAPI.token, "ROOST_SCHEDULER_DAGS_FOLDER": dagsFolder, "ROOST_SCHEDULER_POLL_INTERVAL": "200ms",
        ]) { $1 }
    }

    /// `count` tweets inside the interval, over pages of 100, with a 429 after `rateLimitAfter` pages.
    func serveTweets(_ count: Int, rateLimitAfter: Int) async throws {
        try await xAPI.scenario([
            "generate": ["count": count, "start_time": interval.start.addingTimeInterval(1).formatted(.iso8601),
                         "spacing_ms": 3_000_000 / count, "users": 7],
            "faults": [["path": "/2/tweets/search/recent", "after": rateLimitAfter, "status": 429, "reset_in": 2]],
        ])
    }

    /// The shipped DAG, pointed at the fake API and a temporary staging folder, starting at the interval.
    /// `retries` replaces the DAG's default: a chaos test kills more tries than a real fleet loses.
    func installDag(retries: Int = 3) throws {
        try installDag("config/dags/twitter_pipeline.yaml", [
            ("replay: config/samples/twitter", "query: roost\n      max_results: 100\n      parallel_slices: 4"),
            ("start_date: 2026-11-01T00:00:00Z", "start_date: \(interval.start.formatted(.iso8601))"),
            ("retry_delay: 5s", "retry_delay: 1s"), ("max_retry_delay: 2m", "max_retry_delay: 3s"), ("retries: 3", "retries: \(retries)"),
        ])
    }

    /// The shipped DAG at `path` (from the repository's root) with each text replaced, staging in a
    /// temporary folder, into the scheduler's folder.
    func installDag(_ path: String, _ replacements: [(String, String)]) throws {
        let shipped = try String(contentsOfFile: RepositoryPaths.root + "/" + path, encoding: .utf8)
        let dag = (replacements + [(".run/staging", staging)]).reduce(shipped) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
        try FileManager.default.createDirectory(atPath: dagsFolder, withIntermediateDirectories: true)
        try dag.write(toFile: dagsFolder + "/" + (path as NSString).lastPathComponent, atomically: true, encoding: .utf8)
    }

    func startScheduler() throws {
        scheduler = try RoostProcess(["scheduler"], environment: environment)
    }

    @discardableResult
    func startWorker(queue: String) throws -> WorkerProcess {
        let worker = try WorkerProcess(database: database, queues: queue, concurrency: 2, lease: "3s", extraEnvironment: environment)
        workers.append((queue, worker))
        return worker
    }

    /// Kills worker `index` with SIGKILL and starts a new one on its queue in its place.
    func killAndReplaceWorker(_ index: Int) throws {
        let (queue, worker) = workers[index]
        worker.signal(SIGKILL)
        workers[index] = (queue, try WorkerProcess(database: database, queues: queue, concurrency: 2, lease: "3s", extraEnvironment: environment))
    }

    func stop() async {
        for process in [scheduler].compactMap({ $0 }) + workers.map(\.process) { process.signal(SIGTERM) }
        for process in [scheduler].compactMap({ $0 }) + workers.map(\.process) { _ = try? await process.waitForExit() }
        kafka.signal(SIGTERM)
        _ = try? await kafka.waitForExit()
        try? FileManager.default.removeItem(atPath: dagsFolder)
        try? FileManager.default.removeItem(atPath: staging)
    }

    /// Every raw record in `topic`, as the embedded cluster holds it.
    func rawRecords(_ topic: String = "tweets.raw") async throws -> [KafkaRecord] {
        let consumer = try KafkaBoundedConsumer(config: KafkaClientConfig(bootstrapServers: try await kafka.bootstrapServers()),
                                                groupID: "check", topic: topic)
        try await consumer.assign(try await consumer.watermarks().map { KafkaOffsetRange(partition: $0.partition, start: $0.low, end: $0.high) })
        var records: [KafkaRecord] = []
        while let batch = try await consumer.nextBatch() { records += batch }
        await consumer.close()
        return records
    }

    /// Every line of every object below `prefix`, by key (manifests apart).
    func lake(_ prefix: String) async throws -> [String: [JSONValue]] {
        let client = Moto.client(endpoint: moto.baseURL)
        var objects: [String: [JSONValue]] = [:]
        for object in try await client.listAllObjects(bucket: bucket, prefix: prefix) where !object.key.contains("/_manifests/") {
            let body = try Gzip.decompress(try await client.getObject(bucket: bucket, key: object.key))
            objects[object.key] = try body.split(separator: UInt8(ascii: "\n")).map { try JSONValue.parse(Data($0)) }
        }
        return objects
    }
}
