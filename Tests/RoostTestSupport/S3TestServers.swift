import Foundation
import RoostCore
import RoostHTTP
import RoostS3

/// One moto_server per test process (without signature checking); each test uses buckets of its own.
public enum Moto {
    private static let shared = Task { try await ServerProcess.python("moto_server.py") }
    public static var server: ServerProcess { get async throws { try await shared.value } }

    public static func bucket() -> String { "roost-" + UUID().uuidString.lowercased().prefix(18) }

    public static let anyCredentials = AWSCredentials(accessKeyID: "AKIDTEST", secretAccessKey: "test-secret", source: "test")

    /// What a `roost` process needs to reach S3 at `endpoint`, path-style, with `anyCredentials`.
    public static func environment(endpoint: URL, bucket: String) -> [String: String] {
        ["ROOST_S3_ENDPOINT": endpoint.absoluteString, "ROOST_S3_PATH_STYLE": "true", "ROOST_S3_BUCKET": bucket,
         "ROOST_S3_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": anyCredentials.accessKeyID,
         "AWS_SECRET_ACCESS_KEY": anyCredentials.secretAccessKey, "AWS_EC2_METADATA_DISABLED": "true"]
    }

    public static func client(endpoint: URL, credentials: AWSCredentials = anyCredentials, partSize: Int = 5 << 20,
                       maxAttempts: Int = 4) -> S3Client {
        let configuration = S3Configuration(endpoint: endpoint, region: "us-east-1", pathStyle: true,
                                            retry: Backoff(initial: .milliseconds(10), maximum: .milliseconds(50), maxAttempts: maxAttempts),
                                            multipartThreshold: partSize, partSize: partSize, partConcurrency: 4)
        return S3Client(configuration: configuration, credentials: AWSCredentialChain(sources: [Fixed(credentials: credentials)]),
                        http: HTTPClient())
    }

    struct Fixed: CredentialSource {
        let credentials: AWSCredentials
        var name: String { "test" }
        func load() async throws -> AWSCredentials? { credentials }
    }
}

/// Tests/servers/fault_proxy.py in front of moto: injects error statuses and dropped connections.
public struct FaultProxy: Sendable {
    public let server: ServerProcess
    private let http = HTTPClient()

    public init(upstream: ServerProcess) async throws {
        server = try await ServerProcess.python("fault_proxy.py", [String(upstream.port)])
    }

    public struct Rule: Encodable, Sendable {
        let method: String
        let match: String
        let times: Int
        let action: String
        var status: Int = 0
        var code: String = ""
        var seconds: Double = 0

        public init(method: String, match: String, times: Int, action: String, status: Int = 0, code: String = "", seconds: Double = 0) {
            self.method = method
            self.match = match
            self.times = times
            self.action = action
            self.status = status
            self.code = code
            self.seconds = seconds
        }
    }

    @discardableResult
    func send(_ rules: [Rule]? = nil) async throws -> Int {
        let body = try rules.map { try JSONEncoder().encode($0) }
        let response = try await http.send(HTTPRequest(method: body == nil ? "GET" : "POST", url: server.baseURL.appending(path: "__faults__"),
                                                       body: body.map { .data($0) } ?? .empty))
        struct Hits: Decodable { let hits: Int }
        return try JSONDecoder().decode(Hits.self, from: response.body).hits
    }

    public func inject(_ rules: [Rule]) async throws { try await send(rules) }
    public var hits: Int { get async throws { try await send() } }
}

/// `count` bytes that differ from offset to offset, so a misplaced part shows.
public func patternData(_ count: Int, seed: UInt64 = 7) -> Data {
    var state = seed
    var data = Data(count: count)
    data.withUnsafeMutableBytes { buffer in
        let words = buffer.bindMemory(to: UInt64.self)
        for i in 0..<words.count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            words[i] = state
        }
    }
    return data
}

public func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("roost-s3-\(UUID())-\(name)").path
}
