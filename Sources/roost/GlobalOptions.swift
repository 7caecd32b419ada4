import ArgumentParser
import Foundation
import Logging
import RoostCore
import RoostRuntime

/// Options every command takes: where the config is and how to log.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Config file (default: $ROOST_CONFIG, else config/roost.yaml).")
    var config: String?

    @Option(name: .long, help: "Log format: text or json (default: log.format from the config).")
    var logFormat: LogFormat?

    @Option(name: .long, help: "Log level (default: log.level from the config).")
    var logLevel: String?

    /// Loads and validates the configuration. A file named with --config or ROOST_CONFIG must exist.
    func loadConfig() throws -> RoostConfig {
        let environment = ProcessInfo.processInfo.environment
        let explicit = config ?? environment["ROOST_CONFIG"]
        return try ConfigLoader(environment: environment).load(path: explicit ?? "config/roost.yaml", required: explicit != nil)
    }

    /// Loads the config and starts logging as it (or the command line) says.
    func bootstrap() throws -> RoostConfig {
        let config = try loadConfig()
        let format = logFormat ?? LogFormat(rawValue: config.log.format) ?? .text
        guard let level = Logger.Level(rawValue: logLevel ?? config.log.level) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        LogFormat.bootstrap(format: format, level: level)
        return config
    }
}

extension LogFormat: ExpressibleByArgument {}
