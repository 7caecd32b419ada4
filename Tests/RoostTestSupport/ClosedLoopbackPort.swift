import Foundation

/// A loopback port with a bound socket that does not listen: connecting is refused, and no other
/// test can take the port while this lives.
public struct ClosedLoopbackPort: ~Copyable {
    let descriptor: Int32
    public let port: Int

    /// A free port the kernel picks, or `port` itself (which must not be in use).
    public init(port requested: Int = 0) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(requested).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw TestSupportError("cannot bind loopback port \(requested == 0 ? "(any)" : String(requested))")
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Frees the port now.
    public consuming func release() {}

    deinit { close(descriptor) }
}
