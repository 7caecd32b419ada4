extension S3Client {
    /// One page of ListObjectsV2 (at most `maxKeys` entries).
    public func listObjects(bucket: String, prefix: String = "", delimiter: String? = nil, continuationToken: String? = nil,
                            maxKeys: Int = 1000) async throws -> S3ListPage {
        var query: [(name: String, value: String)] = [("list-type", "2"), ("max-keys", String(maxKeys))]
        if !prefix.isEmpty { query.append(("prefix", prefix)) }
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let request = Request(method: "GET", bucket: bucket, query: query)
        let root = try document(try await send(request), request)
        let truncated = root["IsTruncated"] == "true"
        return S3ListPage(objects: root.all("Contents").map(S3Object.init(listEntry:)),
                          commonPrefixes: root.all("CommonPrefixes").compactMap { $0["Prefix"] },
                          nextContinuationToken: truncated ? root["NextContinuationToken"] : nil)
    }

    /// Every object under `prefix`, following continuation tokens page by page.
    public func listAllObjects(bucket: String, prefix: String = "", pageSize: Int = 1000) async throws -> [S3Object] {
        var objects: [S3Object] = []
        var token: String?
        repeat {
            let page = try await listObjects(bucket: bucket, prefix: prefix, continuationToken: token, maxKeys: pageSize)
            objects += page.objects
            token = page.nextContinuationToken
        } while token != nil
        return objects
    }

    /// Multipart uploads started and neither completed nor aborted.
    public func listMultipartUploads(bucket: String, prefix: String = "") async throws -> [(key: String, uploadID: String)] {
        var query: [(name: String, value: String)] = [("uploads", "")]
        if !prefix.isEmpty { query.append(("prefix", prefix)) }
        let request = Request(method: "GET", bucket: bucket, query: query)
        let root = try document(try await send(request), request)
        return root.all("Upload").map { (key: $0["Key"] ?? "", uploadID: $0["UploadId"] ?? "") }
    }
}
