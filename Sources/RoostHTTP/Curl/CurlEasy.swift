import CCurl

/// One libcurl easy handle. Only the pool thread that created it uses it, one transfer at a time;
/// it is reset between transfers but kept, so its connection cache keeps connections alive.
final class CurlEasy {
    private let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: 256)  // CURL_ERROR_SIZE

    /// libcurl's global state must be set up once, before any thread makes a handle.
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

    init?() {
        guard Self.globalInit == CURLE_OK, let handle = curl_easy_init() else { return nil }
        self.handle = handle
    }

    deinit {
        curl_slist_free_all(headerList)
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Forgets every option of the last transfer (connections stay cached).
    func reset() throws {
        curl_easy_reset(handle)
        curl_slist_free_all(headerList)
        headerList = nil
        errorBuffer[0] = 0
        try check(roost_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), CURLOPT_ERRORBUFFER)
        // Timeouts must not use signals: other threads run transfers too.
        try set(CURLOPT_NOSIGNAL, 1)
    }

    func set(_ option: CURLoption, _ value: Int) throws {
        try check(roost_curl_setopt_long(handle, option, value), option)
    }

    /// For `curl_off_t` options (sizes), which libcurl reads as a different C type than `long`.
    func setSize(_ option: CURLoption, _ value: UInt64) throws {
        try check(roost_curl_setopt_off_t(handle, option, curl_off_t(value)), option)
    }

    /// libcurl copies strings, so `value` need not outlive the call.
    func set(_ option: CURLoption, _ value: String) throws {
        try check(roost_curl_setopt_string(handle, option, value), option)
    }

    func set(_ option: CURLoption, _ value: UnsafeMutableRawPointer) throws {
        try check(roost_curl_setopt_pointer(handle, option, value), option)
    }

    func set(_ option: CURLoption, _ callback: roost_curl_data_callback) throws {
        try check(roost_curl_setopt_data_callback(handle, option, callback), option)
    }

    func setProgressCallback(_ callback: roost_curl_xferinfo_callback) throws {
        try check(roost_curl_setopt_xferinfo_callback(handle, callback), CURLOPT_XFERINFOFUNCTION)
    }

    func setSeekCallback(_ callback: roost_curl_seek_callback) throws {
        try check(roost_curl_setopt_seek_callback(handle, callback), CURLOPT_SEEKFUNCTION)
    }

    /// Request header lines ("Name: value"); the list lives until the next reset.
    func setHeaders(_ lines: [String]) throws {
        for line in lines { headerList = curl_slist_append(headerList, line) }
        try check(roost_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), CURLOPT_HTTPHEADER)
    }

    /// Runs the transfer, blocking this thread until it ends.
    func perform() -> CURLcode { curl_easy_perform(handle) }

    /// The detailed message of the last failure, or libcurl's generic text for `code`.
    func message(for code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws {
        guard code == CURLE_OK else { throw CurlOptionError(option: option.rawValue, message: String(cString: curl_easy_strerror(code))) }
    }
}

/// libcurl refused an option: a bug or a libcurl built without a feature, not a network failure.
struct CurlOptionError: Error, CustomStringConvertible {
    let option: UInt32
    let message: String
    var description: String { "libcurl rejected option \(option): \(message)" }
}
