import Foundation
import RoostHTTP

extension S3Client {
    public func createBucket(_ bucket: String) async throws {
        var request = Request(method: "PUT", bucket: bucket)
        if configuration.region != "us-east-1" {
            request.payload = .data(Data("""
                <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
                <LocationConstraint>\(XMLText.escape(configuration.region))</LocationConstraint></CreateBucketConfiguration>
                """.utf8))
        }
        _ = try await send(request)
    }

    /// One PUT with an `x-amz-checksum-sha256` header, which S3 verifies. For objects of any
    /// size use `upload`, which switches to multipart.
    public func putObject(bucket: String, key: String, payload: S3Payload, contentType: String? = nil) async throws -> S3PutResult {
        let sha256 = try await payload.digests().sha256
        let checksum = sha256.base64
        var request = Request(method: "PUT", bucket: bucket, key: key, payload: payload)
        request.headers["x-amz-checksum-sha256"] = checksum
        if let contentType { request.headers["Content-Type"] = contentType }
        addEncryptionHeaders(&request)
        let response = try await send(request, payloadSHA256: sha256)
        return S3PutResult(etag: S3Object.unquoted(response.headers["ETag"] ?? ""), checksumSHA256: checksum, size: payload.count,
                           parts: 1)
    }

    /// The whole object in memory; for small objects such as manifests.
    public func getObject(bucket: String, key: String) async throws -> Data {
        try await send(Request(method: "GET", bucket: bucket, key: key)).body
    }

    /// Streams the object into a file at `path` (replaced on each try), never holding it in memory.
    @discardableResult
    public func getObject(bucket: String, key: String, toFile path: String) async throws -> S3Object {
        var request = Request(method: "GET", bucket: bucket, key: key)
        request.makeSink = {
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw S3ConfigurationError("cannot write \(path)")
            }
            return { data in try handle.write(contentsOf: data) }
        }
        let response = try await send(request)
        return S3Object(key: key, size: UInt64(response.headers["Content-Length"] ?? "") ?? 0,
                        etag: S3Object.unquoted(response.headers["ETag"] ?? ""),
                        lastModified: nil)
    }

    /// The object's size and ETag; nil when there is no such object.
    public func headObject(bucket: String, key: String) async throws -> S3Object? {
        do {
            let response = try await send(Request(method: "HEAD", bucket: bucket, key: key))
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
            return S3Object(key: key, size: UInt64(response.headers["Content-Length"] ?? "") ?? 0,
                            etag: S3Object.unquoted(response.headers["ETag"] ?? ""),
                            lastModified: response.headers["Last-Modified"].flatMap(formatter.date(from:)))
        } catch let error as S3Error where error.status == 404 {
            return nil
        }
    }

    /// A server-side copy (objects up to 5 GiB).
    @discardableResult
    public func copyObject(from source: (bucket: String, key: String), to bucket: String, key: String) async throws -> String {
        var request = Request(method: "PUT", bucket: bucket, key: key)
        request.headers["x-amz-copy-source"] = AWSURI.encode("\(source.bucket)/\(source.key)", keepingSlashes: true)
        addEncryptionHeaders(&request)
        let root = try document(try await send(request), request)
        return S3Object.unquoted(root["ETag"] ?? "")
    }

    /// Deletes `keys`, 1,000 a request; missing keys are not an error (as in S3).
    public func deleteObjects(bucket: String, keys: [String]) async throws {
        for start in stride(from: 0, to: keys.count, by: 1000) {
            let batch = keys[start..<min(start + 1000, keys.count)]
            let body = "<Delete><Quiet>true</Quiet>" + batch.map { "<Object><Key>\(XMLText.escape($0))</Key></Object>" }.joined()
                + "</Delete>"
            let data = Data(body.utf8)
            var request = Request(method: "POST", bucket: bucket, query: [("delete", "")], payload: .data(data))
            // DeleteObjects is the one call S3 (and most compatible stores) refuses without Content-MD5.
            request.headers["Content-MD5"] = Digest.md5(data).base64
            request.headers["Content-Type"] = "application/xml"
            let root = try document(try await send(request), request)
            if let failure = root.all("Error").first {
                throw S3Error(status: 200, code: failure["Code"] ?? "DeleteFailed", message: failure["Message"] ?? "",
                              requestID: nil, operation: "DELETE s3://\(bucket)/\(failure["Key"] ?? "")")
            }
        }
    }

    func addEncryptionHeaders(_ request: inout Request) {
        for (name, value) in configuration.serverSideEncryption?.headers ?? [] { request.headers[name] = value }
    }
}
