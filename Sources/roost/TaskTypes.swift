import RoostCore
import RoostHTTP
import RoostPostgres
import RoostRuntime
import RoostS3
import RoostStore

/// The task types this binary runs: the built-in ones plus those needing clients from the config.
enum TaskTypes {
    /// `pool` is given on workers, which record what tasks write; others only validate params.
    static func registry(_ config: RoostConfig, pool: PostgresPool? = nil) throws -> TaskRegistry {
        TaskRegistry.builtIn.adding([
            S3LoadTask(client: try s3Client(config), config: config.s3, objects: pool.map { S3ObjectStore(pool: $0) }),
        ])
    }

    /// An S3 client with the AWS CLI's credential chain. Nothing connects until the first request.
    static func s3Client(_ config: RoostConfig) throws -> S3Client {
        let http = HTTPClient(configuration: .init(userAgent: "roost/\(RoostVersion.current)"))
        return S3Client(configuration: try S3Configuration(config: config.s3), credentials: .standard(http: http), http: http)
    }
}
