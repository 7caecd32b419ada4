import Foundation
import Testing
@testable import RoostCore

@Suite struct ConfigLoaderTests {
    let loader = ConfigLoader(environment: [:])

    func load(_ yaml: String, environment: [String: String] = [:]) throws -> RoostConfig {
        let loader = ConfigLoader(environment: environment)
        return try loader.resolve(try loader.parse(yaml: yaml, file: "roost.yaml"), file: "roost.yaml")
    }

    func error(_ yaml: String, environment: [String: String] = [:]) -> String {
        do {
            _ = try load(yaml, environment: environment)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func defaultsApplyWithoutAFile() throws {
        let config = try loader.load(path: "/nonexistent/roost.yaml", required: false)
        #expect(config.worker.concurrency == 8)
        #expect(config.worker.leaseTimeout == .seconds(30))
        #expect(config.twitter.baseURL == "https://api.x.com")
    }

    @Test func fileValuesAreTyped() throws {
        let config = try load("""
            worker:
              queues: [ingest, lake]
              concurrency: 3
              lease_timeout: 2m
            kafka:
              properties: {security.protocol: SASL_SSL, linger.ms: 5}
            """)
        #expect(config.worker.queues == ["ingest", "lake"])
        #expect(config.worker.concurrency == 3)
        #expect(config.worker.leaseTimeout == .seconds(120))
        #expect(config.kafka.properties == ["security.protocol": "SASL_SSL", "linger.ms": "5"])
        #expect(config.sources["worker.concurrency"] == "roost.yaml")
    }

    @Test func environmentOverridesTheFile() throws {
        let config = try load("worker: {concurrency: 3}", environment: [
            "ROOST_WORKER_CONCURRENCY": "12", "ROOST_WORKER_QUEUES": "a, b",
            "ROOST_SCHEDULER_DAGS_FOLDER": "/etc/roost/dags", "X_BEARER_TOKEN": "tok",
        ])
        #expect(config.worker.concurrency == 12)
        #expect(config.worker.queues == ["a", "b"])
        #expect(config.scheduler.dagsFolder == "/etc/roost/dags")
        #expect(config.twitter.bearerToken == "tok")
        #expect(config.sources["worker.concurrency"] == "ROOST_WORKER_CONCURRENCY")
    }

    @Test func unknownKeyNamesKeyFileAndLine() {
        #expect(error("worker:\n  concurency: 3\n").hasPrefix("roost.yaml:2: unknown key 'worker.concurency'"))
        #expect(error("wrker:\n  concurrency: 3\n").hasPrefix("roost.yaml:1: unknown section 'wrker'"))
    }

    @Test func wrongTypeNamesKeyAndLine() {
        #expect(error("database:\n  pool_size: 4\nworker:\n  concurrency: lots\n")
                == "roost.yaml:4: worker.concurrency must be an integer")
        #expect(error("worker:\n  lease_timeout: 30\n")
                == "roost.yaml:2: worker.lease_timeout must be a duration like 500ms, 30s, 10m, 2h")
        #expect(error("", environment: ["ROOST_WORKER_CONCURRENCY": "x"])
                == "ROOST_WORKER_CONCURRENCY (worker.concurrency) must be an integer")
    }

    @Test func invalidYAMLGivesTheLine() {
        let message = error("worker:\n  concurrency: [1, 2\n")
        #expect(message.hasPrefix("roost.yaml:"))
        #expect(message.contains("invalid YAML"))
        #expect(!message.contains("\n"))
    }

    @Test func missingNamedFileIsAnError() {
        #expect(throws: ConfigError.self) { try loader.load(path: "/nonexistent/roost.yaml", required: true) }
    }

    @Test func crossKeyValidation() {
        #expect(error("worker: {heartbeat_interval: 30s, lease_timeout: 10s}")
                .contains("worker.lease_timeout (from roost.yaml) must be longer than worker.heartbeat_interval"))
        #expect(error("s3: {sse: aws:kms}").contains("s3.sse_kms_key_id"))
        #expect(error("s3: {endpoint: not a url}").contains("s3.endpoint"))
        #expect(error("", environment: ["ROOST_TWITTER_BASE_URL": "api.x.com"])
                == "twitter.base_url (from ROOST_TWITTER_BASE_URL) must be an http:// or https:// URL like https://api.x.com")
    }

    @Test func theBearerTokenIsReadFromEitherVariable() throws {
        #expect(try load("", environment: ["X_BEARER_TOKEN": "x-token"]).twitter.bearerToken == "x-token")
        let both = try load("", environment: ["X_BEARER_TOKEN": "x-token", "ROOST_TWITTER_BEARER_TOKEN": "roost-token"])
        #expect(both.twitter.bearerToken == "roost-token")
        #expect(both.sources["twitter.bearer_token"] == "ROOST_TWITTER_BEARER_TOKEN")
    }

    @Test func secretsAreRedactedWhenPrinted() throws {
        let config = try load("database:\n  url: postgresql://roost:hunter2@db:5432/roost\n",
                              environment: ["ROOST_TWITTER_BEARER_TOKEN": "AAAA-secret"])
        let printed = config.redactedLines().joined(separator: "\n")
        #expect(!printed.contains("hunter2"))
        #expect(!printed.contains("AAAA-secret"))
        #expect(printed.contains("postgresql://roost:<redacted>@db:5432/roost"))
        #expect(printed.contains("twitter.bearer_token = <redacted>"))
        #expect(Redaction.databaseURL("host=db password=pw user=x") == "host=db password=<redacted> user=x")
    }

    @Test func secretsCanComeFromFiles() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID())").path
        try "file-token\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try load("twitter:\n  bearer_token_file: \(path)\n").twitter.bearerToken == "file-token")
        #expect(try load("", environment: ["ROOST_TWITTER_BEARER_TOKEN_FILE": path]).twitter.bearerToken == "file-token")
        #expect(error("twitter:\n  bearer_token_file: /nonexistent\n").contains("cannot read secret file"))
    }
}
