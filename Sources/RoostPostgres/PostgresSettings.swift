import Foundation

/// How to reach PostgreSQL. `conninfo` is a libpq keyword string (`host=… dbname=…`) or a URL
/// (`postgresql://…?sslmode=require`); when empty, libpq reads the `PG*` environment variables
/// (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, …) exactly as psql does.
public struct PostgresSettings: Sendable {
    public var conninfo: String
    /// Seconds libpq waits for a connection, unless the conninfo or PGCONNECT_TIMEOUT says otherwise.
    public var connectTimeout: Int
    public var applicationName: String
    /// How long a broken connection keeps retrying (with backoff) before a query gives up; 0 tries once.
    public var reconnectWindow: Duration
    /// Server settings for every session (`SET name = value`, sent as libpq's `options`), e.g.
    /// `plan_cache_mode` for a connection that runs one statement. An `options` in the conninfo wins.
    public var sessionSettings: [String: String] = [:]

    public init(conninfo: String = "", connectTimeout: Int = 10, applicationName: String = "roost",
                reconnectWindow: Duration = .zero) {
        self.conninfo = conninfo
        self.connectTimeout = connectTimeout
        self.applicationName = applicationName
        self.reconnectWindow = reconnectWindow
    }

    /// Keyword/value pairs for `PQconnectdbParams` with `expand_dbname`: ours come first so that
    /// anything in the conninfo (expanded from `dbname`) overrides them.
    var keywordValues: [(String, String)] {
        var pairs: [(String, String)] = [("fallback_application_name", applicationName)]
        if ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] == nil {
            pairs.append(("connect_timeout", String(connectTimeout)))
        }
        if !sessionSettings.isEmpty {
            pairs.append(("options", sessionSettings.sorted { $0.key < $1.key }.map { "-c \($0.key)=\($0.value)" }.joined(separator: " ")))
        }
        if !conninfo.isEmpty { pairs.append(("dbname", conninfo)) }
        return pairs
    }
}
