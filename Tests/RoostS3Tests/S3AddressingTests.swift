import Foundation
import RoostHTTP
import RoostTestSupport
import Testing
@testable import RoostS3

@Suite struct S3AddressingTests {
    @Test func virtualHostedOnAWSAndPathStyleOnAnEndpoint() {
        let aws = S3Endpoint(S3Configuration(region: "eu-west-3"))
        let hosted = aws.locate(bucket: "lake", key: "dt=2026-01-01/a b+c.json", query: [("partNumber", "1"), ("uploadId", "x/y")])
        #expect(hosted.url.absoluteString == "https://lake.s3.eu-west-3.amazonaws.com/dt%3D2026-01-01/a%20b%2Bc.json?partNumber=1&uploadId=x%2Fy")
        #expect(hosted.host == "lake.s3.eu-west-3.amazonaws.com")
        #expect(hosted.path == "/dt=2026-01-01/a b+c.json")

        let minio = S3Endpoint(S3Configuration(endpoint: URL(string: "http://127.0.0.1:9000")!, region: "us-east-1", pathStyle: true))
        let path = minio.locate(bucket: "lake", key: "k/é", query: [])
        #expect(path.url.absoluteString == "http://127.0.0.1:9000/lake/k/%C3%A9")
        #expect(path.host == "127.0.0.1:9000")
        #expect(minio.locate(bucket: "lake", key: nil, query: [("list-type", "2")]).url.absoluteString == "http://127.0.0.1:9000/lake?list-type=2")

        let hostedEndpoint = S3Endpoint(S3Configuration(endpoint: URL(string: "https://storage.example.com:443")!, region: "x"))
        #expect(hostedEndpoint.locate(bucket: "b", key: "k", query: []).host == "b.storage.example.com", "a default port is left out of Host")
    }

    @Test func serverSideEncryptionSettings() throws {
        #expect(try ServerSideEncryption(setting: "", kmsKeyID: "") == nil)
        #expect(try ServerSideEncryption(setting: "AES256", kmsKeyID: "") == .aes256)
        #expect(try ServerSideEncryption(setting: "aws:kms", kmsKeyID: "key-1") == .kms(keyID: "key-1"))
        #expect(throws: S3ConfigurationError.self) { try ServerSideEncryption(setting: "des", kmsKeyID: "") }
    }

    @Test func encryptionHeadersGoOutOnWrites() async throws {
        let moto = try await Moto.server
        let bucket = Moto.bucket()
        try await Moto.client(endpoint: moto.baseURL).createBucket(bucket)
        for (encryption, expected) in [(ServerSideEncryption.aes256, "AES256"), (.kms(keyID: "roost-key"), "aws:kms")] {
            var configuration = Moto.client(endpoint: moto.baseURL).configuration
            configuration.serverSideEncryption = encryption
            let client = S3Client(configuration: configuration, credentials: AWSCredentialChain(sources: [Fixed()]), http: HTTPClient())
            _ = try await client.putObject(bucket: bucket, key: expected, payload: .data(Data("x".utf8)))
            _ = try await client.multipartUpload(bucket: bucket, key: expected + "-parts", payload: .data(patternData(6 << 20)))
            for key in [expected, expected + "-parts"] {
                let head = try await client.send(S3Client.Request(method: "HEAD", bucket: bucket, key: key))
                #expect(head.headers["x-amz-server-side-encryption"] == expected, "\(key)")
            }
        }
    }

    struct Fixed: CredentialSource {
        var name: String { "test" }
        func load() async throws -> AWSCredentials? { AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s", source: "test") }
    }
}
