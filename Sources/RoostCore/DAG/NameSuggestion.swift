/// "Did you mean …?" for misspelled keys, upstream task ids and task types.
enum NameSuggestion {
    /// The known name closest to `name` by edit distance, if it is close enough to be a typo.
    static func closest(to name: String, in known: [String]) -> String? {
        // One edit per three letters, at most three; names of one or two letters are too short to guess.
        let limit = name.count < 3 ? 0 : max(1, min(3, name.count / 3))
        let scored = known.map { (name: $0, distance: distance(name.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.distance < $1.distance }), best.distance <= limit else { return nil }
        return best.name
    }

    /// " (known: a, b, c); did you mean 'x'?", the suggestion only when one is close. Long lists are cut.
    static func hint(for name: String, in known: [String], listName: String = "known") -> String {
        let shown = known.count > 20 ? known.prefix(20).joined(separator: ", ") + ", … (\(known.count) in all)"
                                     : known.joined(separator: ", ")
        var text = " (\(listName): \(shown))"
        if let match = closest(to: name, in: known) { text += "; did you mean '\(match)'?" }
        return text
    }

    /// Damerau–Levenshtein distance (optimal string alignment): a swap of two letters costs 1.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
