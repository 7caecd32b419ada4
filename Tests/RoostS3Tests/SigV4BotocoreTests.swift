import Foundation
import RoostHTTP
import RoostTestSupport
import Testing
@testable import RoostS3

/// Roost and botocore sign the same randomized S3 requests; the signatures must be equal.
@Suite struct SigV4BotocoreTests {
    struct Spec: Codable {
        let method: String
        let path: String
        let query: [[String]]
        let headers: [[String]]
        let body_base64: String
        let region: String
        let timestamp: String
        let access_key: String
        let secret_key: String
        let token: String?
    }

    struct Botocore: Decodable {
        let canonical_request: String
        let authorization: String
    }

    static let alphabet = Array("abcXYZ019-._~ !*'()+,;=:@$&/%ሴé😀")

    static func word(_ generator: inout some RandomNumberGenerator, length: ClosedRange<Int> = 0...12) -> String {
        String((0..<Int.random(in: length, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
    }

    @Test func signaturesAgreeWithBotocore() async throws {
        var generator = SystemRandomNumberGenerator()
        let date = Date(timeIntervalSince1970: TimeInterval(Int.random(in: 1_400_000_000...2_000_000_000, using: &generator)))
        var specs: [Spec] = []
        var ours: [SigV4Signer.Signature] = []
        for index in 0..<200 {
            let method = ["GET", "PUT", "POST", "DELETE", "HEAD"].randomElement(using: &generator)!
            let path = "/bucket-\(index)/" + Self.word(&generator, length: 0...30)
            let query = (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                (name: Self.word(&generator, length: 1...8), value: Self.word(&generator))
            }
            var headers = HTTPHeaders([("Host", "127.0.0.1:\(Int.random(in: 1024...65535, using: &generator))")])
            for i in 0..<Int.random(in: 0...4, using: &generator) {
                let value = String((0..<Int.random(in: 0...20, using: &generator)).map { _ in Array("ab Z9  ,;=\t\"").randomElement(using: &generator)! })
                headers.add("X-Amz-Meta-H\(i)" + ["", "x", "Q"].randomElement(using: &generator)!, value)
            }
            if Bool.random(using: &generator) { headers.add("Content-Type", "application/octet-stream") }
            let body = Data((0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let secret = Self.word(&generator, length: 20...40)
            let token = Bool.random(using: &generator) ? "token-" + Self.word(&generator, length: 10...30) : nil
            let region = ["us-east-1", "eu-west-3", "ap-southeast-2"].randomElement(using: &generator)!
            let credentials = AWSCredentials(accessKeyID: "AKID\(index)", secretAccessKey: secret, sessionToken: token, source: "test")
            let request = SigV4Signer.Request(method: method, path: path, query: query, headers: headers,
                                              payloadHash: Digest.sha256(body).hex)
            ours.append(SigV4Signer(region: region, service: "s3").sign(request, credentials: credentials, at: date, addsContentHash: true))
            specs.append(Spec(method: method, path: path, query: query.map { [$0.name, $0.value] },
                              headers: headers.map { [$0.name, $0.value] }, body_base64: body.base64EncodedString(), region: region,
                              timestamp: SigV4Signer.timestamp(date), access_key: "AKID\(index)", secret_key: secret, token: token))
        }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("sigv4-\(UUID()).json")
        try JSONEncoder().encode(specs).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let python = PythonTools.command
        let result = try await ProcessRunner.run(python[0], python.dropFirst() + [RepositoryPaths.root + "/Tests/scripts/botocore_sign.py", input.path])
        try #require(result.status == 0, "botocore_sign.py failed: \(result.stderr)")
        let theirs = try JSONDecoder().decode([Botocore].self, from: Data(result.stdout.utf8))
        #expect(theirs.count == ours.count)
        for (index, (mine, boto)) in zip(ours, theirs).enumerated() {
            #expect(mine.canonicalRequest == boto.canonical_request, "request \(index): \(specs[index])")
            #expect(mine.headers["Authorization"] == boto.authorization, "request \(index)")
        }
    }
}
