import Foundation

/// Cuts the filtered stream's body into lines as chunks arrive. Lines end with "\r\n"; an empty
/// line is a keep-alive. A line split across chunks waits for its end.
public struct XStreamLineBuffer: Sendable {
    private var pending = Data()

    public init() {}

    /// The lines `chunk` completes, without their terminators.
    public mutating func append(_ chunk: Data) -> [Data] {
        pending.append(chunk)
        var lines: [Data] = []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            var line = pending[pending.startIndex..<newline]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            lines.append(Data(line))
            pending = Data(pending[(newline + 1)...])
        }
        return lines
    }
}
