import RoostCore
import RoostPostgres

extension PostgresSettings {
    /// Connection settings from the `database` section; an empty URL lets libpq read `PG*` variables.
    public init(_ config: RoostConfig.Database, applicationName: String, reconnectWindow: Duration = .zero) {
        self.init(conninfo: config.url, connectTimeout: max(1, Int(config.connectTimeout.seconds.rounded(.up))),
                  applicationName: applicationName, reconnectWindow: reconnectWindow)
    }
}
