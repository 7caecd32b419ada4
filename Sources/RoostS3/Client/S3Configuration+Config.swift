import Foundation
import RoostCore

extension S3Configuration {
    /// From the `s3` config section. An empty region is looked up as the AWS CLI does:
    /// AWS_REGION, AWS_DEFAULT_REGION, the profile's region, then us-east-1.
    public init(config: RoostConfig.S3, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let region = [config.region, environment["AWS_REGION"] ?? "", environment["AWS_DEFAULT_REGION"] ?? "",
                      SharedConfigFiles(environment: environment).region ?? ""].first { !$0.isEmpty } ?? "us-east-1"
        self.init(endpoint: config.endpoint.isEmpty ? nil : URL(string: config.endpoint), region: region, pathStyle: config.pathStyle,
                  serverSideEncryption: try ServerSideEncryption(setting: config.sse, kmsKeyID: config.sseKMSKeyID))
    }
}
