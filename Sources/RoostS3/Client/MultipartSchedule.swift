/// The order of work in a multipart upload: which part to hash (read, SHA-256 and CRC-32,
/// needed for the signature and checksum headers before its PUT can start) and which to upload. Parts are hashed up to
/// `concurrency` ahead of the uploads, so a slot whose upload ends starts the next PUT at once
/// instead of hashing first; the server never waits for the client between parts. Uploads start
/// in part order, at most `concurrency` at a time. Only checksums wait, never part data, so
/// hashing ahead costs no memory.
///
/// A pure state machine: the caller runs the actions and reports each one's end.
struct MultipartSchedule {
    enum Action: Equatable {
        case hash(part: Int)
        /// With the digests the part's hash produced.
        case upload(part: Int, digests: PayloadDigests)
    }

    let partCount: Int
    let concurrency: Int
    private var nextToHash = 1
    private var nextToUpload = 1
    private var hashed: [Int: PayloadDigests] = [:]
    private var uploading = 0

    init(partCount: Int, concurrency: Int) {
        self.partCount = partCount
        self.concurrency = max(1, concurrency)
    }

    mutating func start() -> [Action] { next() }

    mutating func hashFinished(part: Int, digests: PayloadDigests) -> [Action] {
        hashed[part] = digests
        return next()
    }

    mutating func uploadFinished(part: Int) -> [Action] {
        uploading -= 1
        return next()
    }

    /// Uploads first (a free slot and the next part's checksum), then hashes up to
    /// `concurrency` parts beyond the ones uploading.
    private mutating func next() -> [Action] {
        var actions: [Action] = []
        while uploading < concurrency, let digests = hashed.removeValue(forKey: nextToUpload) {
            actions.append(.upload(part: nextToUpload, digests: digests))
            uploading += 1
            nextToUpload += 1
        }
        while nextToHash <= partCount, nextToHash < nextToUpload + concurrency {
            actions.append(.hash(part: nextToHash))
            nextToHash += 1
        }
        return actions
    }
}
