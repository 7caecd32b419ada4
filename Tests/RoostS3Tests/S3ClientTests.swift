import Foundation
import RoostHTTP
import RoostTestSupport
import Testing
@testable import RoostS3

@Suite struct S3ClientTests {
    @Test func objectsRoundTripThroughPutHeadGetListCopyAndDelete() async throws {
        let client = Moto.client(endpoint: try await Moto.server.baseURL)
        let bucket = Moto.bucket()
        try await client.createBucket(bucket)
        let key = "dt=2026-11-30/hour=12/odd name é+&=.json"
        let body = Data("{\"hello\": \"world\"}\n".utf8)
        let put = try await client.putObject(bucket: bucket, key: key, payload: .data(body), contentType: "application/json")
        #expect(put.checksumSHA256 == Digest.sha256(body).base64)
        let head = try #require(try await client.headObject(bucket: bucket, key: key))
        #expect(head.size == UInt64(body.count))
        #expect(head.etag == put.etag)
        #expect(try await client.getObject(bucket: bucket, key: key) == body)

        for i in 0..<7 { _ = try await client.putObject(bucket: bucket, key: "many/\(i)", payload: .data(Data([UInt8(i)]))) }
        let firstPage = try await client.listObjects(bucket: bucket, prefix: "many/", maxKeys: 3)
        #expect(firstPage.objects.count == 3)
        #expect(firstPage.nextContinuationToken != nil)
        let all = try await client.listAllObjects(bucket: bucket, prefix: "many/", pageSize: 3)
        #expect(all.map(\.key) == (0..<7).map { "many/\($0)" })
        let folders = try await client.listObjects(bucket: bucket, delimiter: "/")
        #expect(Set(folders.commonPrefixes) == ["dt=2026-11-30/", "many/"])

        try await client.copyObject(from: (bucket, key), to: bucket, key: "copy.json")
        #expect(try await client.getObject(bucket: bucket, key: "copy.json") == body)
        try await client.deleteObjects(bucket: bucket, keys: all.map(\.key) + [key, "copy.json", "never-existed"])
        #expect(try await client.listAllObjects(bucket: bucket).isEmpty)
        #expect(try await client.headObject(bucket: bucket, key: key) == nil)
    }

    @Test func s3ErrorsCarryTheCodeAndMessageAndAreNotRetried() async throws {
        let client = Moto.client(endpoint: try await Moto.server.baseURL)
        let bucket = Moto.bucket()
        let noBucket = await #expect(throws: S3Error.self) {
            try await client.putObject(bucket: bucket, key: "k", payload: .data(Data("x".utf8)))
        }
        #expect(noBucket?.code == "NoSuchBucket")
        #expect(noBucket?.status == 404)
        #expect(noBucket?.description.contains("PUT s3://\(bucket)/k") == true)
        try await client.createBucket(bucket)
        let noKey = await #expect(throws: S3Error.self) { try await client.getObject(bucket: bucket, key: "missing") }
        #expect(noKey?.code == "NoSuchKey")
        #expect(noKey?.message.isEmpty == false)
        #expect(noKey?.isRetryable == false)
    }

    @Test func multipartUploadOfAFileOver50MiBReadsBackByteForByte() async throws {
        let client = Moto.client(endpoint: try await Moto.server.baseURL)
        let bucket = Moto.bucket()
        try await client.createBucket(bucket)
        let data = patternData(52 * 1024 * 1024 + 12_345)
        let source = temporaryPath("upload"), target = temporaryPath("download")
        try data.write(to: URL(fileURLWithPath: source))
        defer { for path in [source, target] { try? FileManager.default.removeItem(atPath: path) } }

        let result = try await client.upload(bucket: bucket, key: "big.bin", payload: try .file(source))
        #expect(result.parts == 11)
        #expect(result.etag.hasSuffix("-11"))
        // The parts' CRC-32 checksums reached the server: it holds their composite, the CRC-32 of
        // the parts' CRC-32s (moto leaves out S3's "-<parts>" suffix).
        var head = S3Client.Request(method: "HEAD", bucket: bucket, key: "big.bin")
        head.headers["x-amz-checksum-mode"] = "ENABLED"
        let stored = try #require(try await client.send(head).headers["x-amz-checksum-crc32"])
        let partSize = client.configuration.partSize
        let partCRCs = stride(from: 0, to: data.count, by: partSize).flatMap { start in
            PayloadDigests(data: data[start..<min(start + partSize, data.count)]).crc32Bytes
        }
        #expect(stored.split(separator: "-").first.map(String.init) == PayloadDigests(data: Data(partCRCs)).crc32Bytes.base64)
        let object = try await client.getObject(bucket: bucket, key: "big.bin", toFile: target)
        #expect(object.size == UInt64(data.count))
        #expect(FileManager.default.contentsEqual(atPath: source, andPath: target))
        #expect(try await client.listMultipartUploads(bucket: bucket).isEmpty)
    }

    @Test func aFailedPartAbortsTheUploadLeavingNoMultipartUpload() async throws {
        let moto = try await Moto.server
        let proxy = try await FaultProxy(upstream: moto)
        let direct = Moto.client(endpoint: moto.baseURL)
        let client = Moto.client(endpoint: proxy.server.baseURL)
        let bucket = Moto.bucket()
        try await direct.createBucket(bucket)
        try await proxy.inject([.init(method: "PUT", match: "partNumber=3&", times: 1, action: "status", status: 400, code: "InvalidDigest")])
        let error = await #expect(throws: S3Error.self) {
            try await client.upload(bucket: bucket, key: "doomed.bin", payload: .data(patternData(21 * 1024 * 1024)))
        }
        #expect(error?.code == "InvalidDigest")
        #expect(try await proxy.hits == 1)
        #expect(try await direct.listMultipartUploads(bucket: bucket).isEmpty)
        #expect(try await direct.headObject(bucket: bucket, key: "doomed.bin") == nil)
    }

    @Test func throttlingServerErrorsAndDroppedConnectionsAreRetried() async throws {
        let moto = try await Moto.server
        let proxy = try await FaultProxy(upstream: moto)
        let client = Moto.client(endpoint: proxy.server.baseURL)
        let bucket = Moto.bucket()
        try await client.createBucket(bucket)
        try await proxy.inject([
            .init(method: "PUT", match: "/\(bucket)/retried", times: 1, action: "status", status: 503, code: "SlowDown"),
            .init(method: "PUT", match: "/\(bucket)/retried", times: 1, action: "status", status: 500, code: "InternalError"),
            .init(method: "PUT", match: "/\(bucket)/retried", times: 1, action: "drop"),
            .init(method: "GET", match: "/\(bucket)/retried", times: 2, action: "drop"),
        ])
        _ = try await client.putObject(bucket: bucket, key: "retried", payload: .data(Data("survived".utf8)))
        #expect(try await client.getObject(bucket: bucket, key: "retried") == Data("survived".utf8))
        #expect(try await proxy.hits == 5)
    }

    @Test func forbiddenIsNotRetried() async throws {
        let moto = try await Moto.server
        let proxy = try await FaultProxy(upstream: moto)
        let client = Moto.client(endpoint: proxy.server.baseURL)
        try await proxy.inject([.init(method: "GET", match: "/", times: 5, action: "status", status: 403, code: "AccessDenied")])
        let error = await #expect(throws: S3Error.self) { try await client.getObject(bucket: "any", key: "k") }
        #expect(error?.code == "AccessDenied")
        #expect(error?.message == "injected AccessDenied")
        #expect(try await proxy.hits == 1, "a 403 is not tried again")
    }

    @Test func retriesStopAtTheBound() async throws {
        let moto = try await Moto.server
        let proxy = try await FaultProxy(upstream: moto)
        let client = Moto.client(endpoint: proxy.server.baseURL, maxAttempts: 3)
        try await proxy.inject([.init(method: "GET", match: "/", times: 10, action: "status", status: 503, code: "SlowDown")])
        let error = await #expect(throws: S3Error.self) { try await client.getObject(bucket: "any", key: "k") }
        #expect(error?.code == "SlowDown")
        #expect(try await proxy.hits == 3)
    }

    @Test func motoWithSignatureCheckingAcceptsRoostAndRejectsAWrongSecret() async throws {
        let moto = try await ServerProcess.python("moto_server.py", ["--auth"])
        let words = try #require(moto.announcements.first { $0.hasPrefix("CREDENTIALS ") }).split(separator: " ")
        let good = AWSCredentials(accessKeyID: String(words[1]), secretAccessKey: String(words[2]), source: "moto IAM")
        let client = Moto.client(endpoint: moto.baseURL, credentials: good)
        let bucket = Moto.bucket()
        try await client.createBucket(bucket)
        _ = try await client.putObject(bucket: bucket, key: "signed/key with spaces", payload: .data(Data("ok".utf8)))
        #expect(try await client.getObject(bucket: bucket, key: "signed/key with spaces") == Data("ok".utf8))
        // A prefix without "/": moto checks signatures of "%2F" in query strings wrongly (boto3 fails there too).
        #expect(try await client.listAllObjects(bucket: bucket, prefix: "signed").count == 1)

        let forged = AWSCredentials(accessKeyID: good.accessKeyID, secretAccessKey: good.secretAccessKey + "x", source: "wrong")
        let error = await #expect(throws: S3Error.self) {
            try await Moto.client(endpoint: moto.baseURL, credentials: forged).getObject(bucket: bucket, key: "signed/key with spaces")
        }
        #expect(error?.status == 403)
        #expect(error?.code == "SignatureDoesNotMatch")
        #expect(error?.description.contains(good.secretAccessKey) == false)
    }
}
