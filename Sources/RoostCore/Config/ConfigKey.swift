/// One configuration key: where it lives, what type it has, its default, and whether it is secret.
/// The table in `ConfigKey.all` is the single source of truth for parsing, environment overrides,
/// validation and `roost config check`.
public struct ConfigKey: Sendable {
    public enum Kind: Sendable, Equatable {
        case string, int, bool, duration, stringList, stringMap
        var name: String {
            switch self {
            case .string: "a string"
            case .int: "an integer"
            case .bool: "true or false"
            case .duration: "a duration like 500ms, 30s, 10m, 2h"
            case .stringList: "a list of strings"
            case .stringMap: "a mapping of strings to strings"
            }
        }
    }

    public let section: String
    public let name: String
    public let kind: Kind
    public let defaultValue: ConfigValue
    /// Secrets are redacted when printed and may be read from a file (`<key>_file` or `ROOST_…_FILE`).
    public let isSecret: Bool
    /// Further environment variables read when `ROOST_<SECTION>_<KEY>` is unset (e.g. `X_BEARER_TOKEN`).
    public let aliases: [String]
    public let help: String

    public var path: String { "\(section).\(name)" }
    public var environmentName: String { "ROOST_\(section.uppercased())_\(name.uppercased())" }

    init(_ section: String, _ name: String, _ kind: Kind, _ defaultValue: ConfigValue, secret: Bool = false,
         aliases: [String] = [], _ help: String) {
        self.section = section
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.isSecret = secret
        self.aliases = aliases
        self.help = help
    }
}

/// A parsed configuration value.
public enum ConfigValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case duration(Duration)
    case stringList([String])
    case stringMap([String: String])
}

extension ConfigKey {
    public static let all: [ConfigKey] = [
        ConfigKey("database", "url", .string, .string(""), secret: true,
                  "libpq conninfo or postgresql:// URL; empty uses the PG* environment variables like psql"),
        ConfigKey("database", "pool_size", .int, .int(4), "connections per process"),
        ConfigKey("database", "connect_timeout", .duration, .duration(.seconds(10)),
                  "how long one connection attempt may take"),
        ConfigKey("database", "migrations_dir", .string, .string("sql/migrations"),
                  "folder of NNNN_name.sql migrations, relative to the working directory"),

        ConfigKey("kafka", "bootstrap_servers", .string, .string(""),
                  "host:port list; empty uses the embedded cluster's bootstrap file"),
        ConfigKey("kafka", "bootstrap_file", .string, .string(".run/kafka-bootstrap"),
                  "where `roost dev kafka` writes its bootstrap servers"),
        ConfigKey("kafka", "properties", .stringMap, .stringMap([:]),
                  "librdkafka properties passed through as they are (security.protocol, sasl.*, ssl.*, …)"),

        ConfigKey("s3", "bucket", .string, .string(""), "the lake's bucket"),
        ConfigKey("s3", "prefix", .string, .string(""), "key prefix of everything Roost writes to the lake"),
        ConfigKey("s3", "region", .string, .string(""),
                  "AWS region; empty reads AWS_REGION, AWS_DEFAULT_REGION, the profile's region, then us-east-1"),
        ConfigKey("s3", "endpoint", .string, .string(""), "endpoint override for S3-compatible stores and tests; empty for AWS"),
        ConfigKey("s3", "path_style", .bool, .bool(false), "path-style instead of virtual-hosted addressing"),
        ConfigKey("s3", "sse", .string, .string(""), "server-side encryption: empty, AES256 or aws:kms"),
        ConfigKey("s3", "sse_kms_key_id", .string, .string(""), "KMS key id when sse is aws:kms"),

        ConfigKey("twitter", "base_url", .string, .string("https://api.x.com"), "X API base URL"),
        ConfigKey("twitter", "bearer_token", .string, .string(""), secret: true, aliases: ["X_BEARER_TOKEN"],
                  "app-only bearer token"),

        ConfigKey("scheduler", "dags_folder", .string, .string("config/dags"), "folder of DAG YAML files"),
        ConfigKey("scheduler", "poll_interval", .duration, .duration(.seconds(1)), "how often the scheduler looks for due work"),

        ConfigKey("worker", "queues", .stringList, .stringList(["default"]), "queues this worker claims from"),
        ConfigKey("worker", "concurrency", .int, .int(8), "tasks run at once"),
        ConfigKey("worker", "heartbeat_interval", .duration, .duration(.seconds(5)), "how often leases are extended"),
        ConfigKey("worker", "lease_timeout", .duration, .duration(.seconds(30)),
                  "a task whose lease is older than this is taken back"),
        ConfigKey("worker", "poll_interval", .duration, .duration(.seconds(1)),
                  "fallback poll when no NOTIFY arrives (jittered)"),
        ConfigKey("worker", "shutdown_grace", .duration, .duration(.seconds(30)),
                  "on SIGTERM, how long running tasks may finish before they are released"),

        ConfigKey("log", "level", .string, .string("info"), "trace, debug, info, notice, warning, error or critical"),
        ConfigKey("log", "format", .string, .string("text"), "text or json"),
    ]

    public static func named(_ path: String) -> ConfigKey? { all.first { $0.path == path } }
}
