import ArgumentParser
import Foundation

/// How list commands print: an aligned table for people, or JSON for scripts.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "table or json")
    var output: OutputFormat = .table
}

/// Rows with named columns, printed as an aligned table or as a JSON array of objects.
struct Table {
    let columns: [String]
    var rows: [[String]] = []

    init(_ columns: String...) { self.columns = columns }

    mutating func add(_ values: String...) { rows.append(values) }

    func print(as format: OutputFormat) {
        switch format {
        case .table:
            let widths = columns.indices.map { i in max(columns[i].count, rows.map { $0[i].count }.max() ?? 0) }
            func line(_ values: [String]) -> String {
                zip(values, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                    .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
            }
            Swift.print(line(columns.map { $0.uppercased() }))
            for row in rows { Swift.print(line(row)) }
        case .json:
            let objects = rows.map { Dictionary(uniqueKeysWithValues: zip(columns, $0)) }
            let data = (try? JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .prettyPrinted])) ?? Data()
            Swift.print(String(decoding: data, as: UTF8.self))
        }
    }
}

enum Format {
    static func date(_ date: Date?) -> String {
        guard let date else { return "" }
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }

    static func duration(from start: Date?, to end: Date?) -> String {
        guard let start, let end else { return "" }
        return String(format: "%.3fs", end.timeIntervalSince(start))
    }
}
