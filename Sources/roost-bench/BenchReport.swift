import Foundation

/// Prints each figure twice: a line for people, and `BENCH <name> <value> <unit>` for scripts.
/// Lines are written unbuffered, so a long phase shows its progress when piped.
struct BenchReport {
    func figure(_ name: String, _ value: Double, _ unit: String, decimals: Int = 1, note: String = "") {
        let text = String(format: "%.\(decimals)f", value)
        let padded = name.padding(toLength: max(name.count, 30), withPad: " ", startingAt: 0)
        emit("   \(padded) \(text) \(unit)\(note.isEmpty ? "" : "  (\(note))")")
        emit("BENCH \(name) \(text) \(unit)")
    }

    func section(_ title: String) { emit("== \(title)") }

    func note(_ text: String) { emit("   \(text)") }

    private func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
