import Foundation

/// The effective configuration, typed and validated. Built only by `ConfigLoader`.
public struct RoostConfig: Sendable {
    public struct Database: Sendable {
        public var url: String
        public var poolSize: Int
        public var connectTimeout: Duration
        public var migrationsDir: String
    }
    public struct Kafka: Sendable {
        public var bootstrapServers: String
        public var bootstrapFile: String
        public var properties: [String: String]
    }
    public struct S3: Sendable {
        public var bucket: String
        public var prefix: String
        public var region: String
        public var endpoint: String
        public var pathStyle: Bool
        public var sse: String
        public var sseKMSKeyID: String
    }
    public struct Twitter: Sendable {
        public var baseURL: String
        public var bearerToken: String
    }
    public struct Scheduler: Sendable {
        public var dagsFolder: String
        public var pollInterval: Duration
    }
    public struct Worker: Sendable {
        public var queues: [String]
        public var concurrency: Int
        public var heartbeatInterval: Duration
        public var leaseTimeout: Duration
        public var pollInterval: Duration
        public var shutdownGrace: Duration
    }
    public struct Log: Sendable {
        public var level: String
        public var format: String
    }

    public var database: Database
    public var kafka: Kafka
    public var s3: S3
    public var twitter: Twitter
    public var scheduler: Scheduler
    public var worker: Worker
    public var log: Log

    /// Every key's value, by path, for printing.
    public let values: [String: ConfigValue]
    /// Where each key's value came from: `default`, the file, or an environment variable.
    public let sources: [String: String]

    init(values: [String: ConfigValue], sources: [String: String]) throws {
        self.values = values
        self.sources = sources
        func string(_ path: String) -> String { if case .string(let v) = values[path] { v } else { "" } }
        func int(_ path: String) -> Int { if case .int(let v) = values[path] { v } else { 0 } }
        func bool(_ path: String) -> Bool { if case .bool(let v) = values[path] { v } else { false } }
        func duration(_ path: String) -> Duration { if case .duration(let v) = values[path] { v } else { .zero } }
        func list(_ path: String) -> [String] { if case .stringList(let v) = values[path] { v } else { [] } }
        func map(_ path: String) -> [String: String] { if case .stringMap(let v) = values[path] { v } else { [:] } }

        database = Database(url: string("database.url"), poolSize: int("database.pool_size"),
                            connectTimeout: duration("database.connect_timeout"),
                            migrationsDir: string("database.migrations_dir"))
        kafka = Kafka(bootstrapServers: string("kafka.bootstrap_servers"), bootstrapFile: string("kafka.bootstrap_file"),
                      properties: map("kafka.properties"))
        s3 = S3(bucket: string("s3.bucket"), prefix: string("s3.prefix"), region: string("s3.region"), endpoint: string("s3.endpoint"),
                pathStyle: bool("s3.path_style"), sse: string("s3.sse"), sseKMSKeyID: string("s3.sse_kms_key_id"))
        twitter = Twitter(baseURL: string("twitter.base_url"), bearerToken: string("twitter.bearer_token"))
        scheduler = Scheduler(dagsFolder: string("scheduler.dags_folder"), pollInterval: duration("scheduler.poll_interval"))
        worker = Worker(queues: list("worker.queues"), concurrency: int("worker.concurrency"),
                        heartbeatInterval: duration("worker.heartbeat_interval"),
                        leaseTimeout: duration("worker.lease_timeout"), pollInterval: duration("worker.poll_interval"),
                        shutdownGrace: duration("worker.shutdown_grace"))
        log = Log(level: string("log.level"), format: string("log.format"))
        try validate()
    }

    private func validate() throws {
        func fail(_ path: String, _ message: String) -> ConfigError {
            ConfigError("\(path) (from \(sources[path] ?? "default")) \(message)")
        }
        if database.poolSize < 1 { throw fail("database.pool_size", "must be at least 1") }
        if worker.concurrency < 1 { throw fail("worker.concurrency", "must be at least 1") }
        if worker.queues.isEmpty { throw fail("worker.queues", "must name at least one queue") }
        if worker.heartbeatInterval <= .zero { throw fail("worker.heartbeat_interval", "must be positive") }
        if worker.leaseTimeout <= worker.heartbeatInterval {
            throw fail("worker.lease_timeout", "must be longer than worker.heartbeat_interval, or every lease would expire")
        }
        if scheduler.pollInterval <= .zero { throw fail("scheduler.poll_interval", "must be positive") }
        if worker.pollInterval <= .zero { throw fail("worker.poll_interval", "must be positive") }
        if !["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(log.level) {
            throw fail("log.level", "must be one of trace, debug, info, notice, warning, error, critical")
        }
        if !["text", "json"].contains(log.format) { throw fail("log.format", "must be text or json") }
        if !["", "AES256", "aws:kms"].contains(s3.sse) { throw fail("s3.sse", "must be empty, AES256 or aws:kms") }
        if s3.sse == "aws:kms" && s3.sseKMSKeyID.isEmpty { throw fail("s3.sse_kms_key_id", "is required when s3.sse is aws:kms") }
        if !s3.endpoint.isEmpty, URL(string: s3.endpoint)?.host == nil {
            throw fail("s3.endpoint", "must be a URL such as http://127.0.0.1:9000")
        }
        if !(twitter.baseURL.hasPrefix("https://") || twitter.baseURL.hasPrefix("http://")) || URL(string: twitter.baseURL)?.host == nil {
            throw fail("twitter.base_url", "must be an http:// or https:// URL like https://api.x.com")
        }
    }

    /// `key = value  # source` lines with every secret redacted, for `roost config check`.
    public func redactedLines() -> [String] {
        ConfigKey.all.map { key in
            let value = values[key.path] ?? key.defaultValue
            let shown: String
            switch value {
            case .string(let s) where key.path == "database.url": shown = Redaction.databaseURL(s).quotedIfNeeded
            case .string(let s) where key.isSecret: shown = s.isEmpty ? "\"\"" : "<redacted>"
            case .string(let s): shown = s.quotedIfNeeded
            case .int(let i): shown = String(i)
            case .bool(let b): shown = String(b)
            case .duration(let d): shown = DurationParser.format(d)
            case .stringList(let l): shown = "[" + l.map(\.quotedIfNeeded).joined(separator: ", ") + "]"
            case .stringMap(let m):
                shown = "{" + m.keys.sorted().map { k in
                    "\(k): \(Redaction.isSecretProperty(k) ? "<redacted>" : m[k]!.quotedIfNeeded)"
                }.joined(separator: ", ") + "}"
            }
            return "\(key.path) = \(shown)  # \(sources[key.path] ?? "default")"
        }
    }
}

extension String {
    var quotedIfNeeded: String {
        isEmpty || contains(where: { $0 == " " || $0 == "#" || $0 == ":" || $0 == "," }) ? debugDescription : self
    }
}
