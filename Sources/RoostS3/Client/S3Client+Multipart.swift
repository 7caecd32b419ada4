import Foundation

extension S3Client {
    /// Uploads `payload` as one PUT, or in parts when it reaches `multipartThreshold`.
    public func upload(bucket: String, key: String, payload: S3Payload, contentType: String? = nil) async throws -> S3PutResult {
        guard payload.count >= UInt64(configuration.multipartThreshold) else {
            return try await putObject(bucket: bucket, key: key, payload: payload, contentType: contentType)
        }
        return try await multipartUpload(bucket: bucket, key: key, payload: payload, contentType: contentType)
    }

    /// Parts of `partSize` bytes, `partConcurrency` in flight, completed in part order. Each part
    /// is signed with its SHA-256 and carries its CRC-32 checksum, both of which S3 verifies; the
    /// object gets S3's composite CRC-32 checksum, and the result Roost's composite SHA-256. If any part fails for good (or the task is cancelled) the upload is aborted, so
    /// S3 keeps no orphaned parts, and the error is rethrown.
    public func multipartUpload(bucket: String, key: String, payload: S3Payload, contentType: String? = nil) async throws -> S3PutResult {
        var create = Request(method: "POST", bucket: bucket, key: key, query: [("uploads", "")])
        // Declared up front: S3 then expects every part's x-amz-checksum-crc32 and the same
        // checksums in CompleteMultipartUpload. CRC-32 as in the AWS SDKs: the signature already
        // covers each part's SHA-256, and a composite CRC-32 is far cheaper for the store to build.
        create.headers["x-amz-checksum-algorithm"] = "CRC32"
        if let contentType { create.headers["Content-Type"] = contentType }
        addEncryptionHeaders(&create)
        let created = try document(try await send(create), create)
        guard let uploadID = created["UploadId"], !uploadID.isEmpty else {
            throw S3Error(status: 200, code: "MissingUploadId", message: "CreateMultipartUpload returned no UploadId",
                          requestID: nil, operation: create.description)
        }
        do {
            let parts = try await uploadParts(bucket: bucket, key: key, uploadID: uploadID, payload: payload)
            return try await complete(bucket: bucket, key: key, uploadID: uploadID, parts: parts, size: payload.count)
        } catch {
            // Detached: the abort must go out even when this task was cancelled.
            let abort = Request(method: "DELETE", bucket: bucket, key: key, query: [("uploadId", uploadID)])
            do {
                _ = try await Task.detached { try await self.send(abort) }.value
            } catch let abortError {
                logger.error("could not abort multipart upload", metadata: [
                    "request": "\(abort.description)", "error": "\(abortError)",
                ])
            }
            throw error
        }
    }

    private struct UploadedPart: Sendable {
        let number: Int
        let etag: String
        let digests: PayloadDigests
    }

    /// Runs a `MultipartSchedule`: checksums are computed ahead of the uploads that need them.
    private func uploadParts(bucket: String, key: String, uploadID: String, payload: S3Payload) async throws -> [UploadedPart] {
        let partSize = UInt64(configuration.partSize)
        var schedule = MultipartSchedule(partCount: Int((payload.count + partSize - 1) / partSize),
                                         concurrency: configuration.partConcurrency)
        func part(_ number: Int) -> S3Payload {
            let offset = UInt64(number - 1) * partSize
            return payload.slice(offset: offset, length: min(partSize, payload.count - offset))
        }
        return try await withThrowingTaskGroup(of: PartStep.self) { group in
            var done: [UploadedPart] = []
            func run(_ actions: [MultipartSchedule.Action]) {
                for action in actions {
                    switch action {
                    case .hash(let number):
                        let part = part(number)
                        group.addTask { .hashed(number, try await part.digests()) }
                    case .upload(let number, let digests):
                        let part = part(number)
                        group.addTask {
                            .uploaded(try await self.uploadPart(bucket: bucket, key: key, uploadID: uploadID, number: number,
                                                                payload: part, digests: digests))
                        }
                    }
                }
            }
            run(schedule.start())
            while let step = try await group.next() {
                switch step {
                case .hashed(let number, let digests):
                    run(schedule.hashFinished(part: number, digests: digests))
                case .uploaded(let part):
                    done.append(part)
                    run(schedule.uploadFinished(part: part.number))
                }
            }
            return done.sorted { $0.number < $1.number }
        }
    }

    private enum PartStep: Sendable {
        case hashed(Int, PayloadDigests)
        case uploaded(UploadedPart)
    }

    private func uploadPart(bucket: String, key: String, uploadID: String, number: Int, payload: S3Payload,
                            digests: PayloadDigests) async throws -> UploadedPart {
        var request = Request(method: "PUT", bucket: bucket, key: key,
                              query: [("partNumber", String(number)), ("uploadId", uploadID)], payload: payload)
        request.headers["x-amz-checksum-crc32"] = digests.crc32Bytes.base64
        let response = try await send(request, payloadSHA256: digests.sha256)
        return UploadedPart(number: number, etag: response.headers["ETag"] ?? "", digests: digests)
    }

    private func complete(bucket: String, key: String, uploadID: String, parts: [UploadedPart], size: UInt64) async throws -> S3PutResult {
        let body = "<CompleteMultipartUpload>"
            + parts.map {
                "<Part><PartNumber>\($0.number)</PartNumber><ETag>\(XMLText.escape($0.etag))</ETag>"
                    + "<ChecksumCRC32>\($0.digests.crc32Bytes.base64)</ChecksumCRC32></Part>"
            }.joined()
            + "</CompleteMultipartUpload>"
        var request = Request(method: "POST", bucket: bucket, key: key, query: [("uploadId", uploadID)], payload: .data(Data(body.utf8)))
        request.headers["Content-Type"] = "application/xml"
        let root = try document(try await send(request), request)
        let composite = Digest.sha256(parts.flatMap(\.digests.sha256)).base64 + "-\(parts.count)"
        return S3PutResult(etag: S3Object.unquoted(root["ETag"] ?? ""), checksumSHA256: composite, size: size, parts: parts.count)
    }
}
